//! Conference schedules in the frab/pentabarf family: `schedule.xml` (pentabarf, frab,
//! pretalx, wafer, FOSDEM) and the frab-compatible `schedule.json` (C3VOC's
//! `voc/schedule` schemas). Sans-IO: bytes in, a [`Schedule`] out, and back.

#![warn(missing_docs)]

mod model;

pub use model::{Conference, Format, ImportOptions, Link, Person, Room, Schedule, Talk, Warning};
