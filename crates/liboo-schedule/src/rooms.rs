//! The rooms of a schedule (each becomes a channel in liboo) and the one check that is
//! about a room's talks together: overlaps.

use std::collections::{HashMap, HashSet};

use crate::build::warning;
use crate::raw::RawSchedule;
use crate::time;
use crate::zone::Zone;
use crate::{MAX_ROOMS, Room, ScheduleError, Talk, Warning};

/// The rooms: those the file declares, then those talks are in, each once by key.
pub(crate) struct Rooms {
    guid_by_name: HashMap<String, String>,
    declared: Option<HashSet<String>>,
    warned: HashSet<String>,
    keys: HashSet<String>,
    pub list: Vec<Room>,
}

impl Rooms {
    pub(crate) fn new(raw: &RawSchedule) -> Result<Self, ScheduleError> {
        // A room's guid is the first one any mention of its name carries, so every talk in
        // the room gets the same key.
        let mut guid_by_name = HashMap::new();
        for (name, guid) in raw.declared_rooms.iter().flatten() {
            if let Some(guid) = guid {
                guid_by_name
                    .entry(name.clone())
                    .or_insert_with(|| guid.clone());
            }
        }
        for t in &raw.talks {
            if let (Some(name), Some(guid)) = (&t.room, &t.room_guid) {
                guid_by_name
                    .entry(name.clone())
                    .or_insert_with(|| guid.clone());
            }
        }
        let mut rooms = Rooms {
            guid_by_name,
            declared: None,
            warned: HashSet::new(),
            keys: HashSet::new(),
            list: Vec::new(),
        };
        if let Some(declared) = &raw.declared_rooms {
            for (name, _) in declared {
                rooms.key_for(name)?;
            }
            rooms.declared = Some(declared.iter().map(|(n, _)| n.clone()).collect());
        }
        Ok(rooms)
    }

    fn key_for(&mut self, name: &str) -> Result<String, ScheduleError> {
        let guid = self.guid_by_name.get(name).cloned();
        let key = guid.clone().unwrap_or_else(|| name.to_owned());
        if self.keys.insert(key.clone()) {
            if self.list.len() >= MAX_ROOMS {
                return Err(ScheduleError::TooManyRooms { max: MAX_ROOMS });
            }
            self.list.push(Room {
                key: key.clone(),
                name: name.to_owned(),
                guid,
            });
        }
        Ok(key)
    }

    /// The key of a talk's room, created when new; warns once per room missing from the
    /// declared list.
    pub(crate) fn add(
        &mut self,
        name: &str,
        talk: &str,
        warnings: &mut Vec<Warning>,
    ) -> Result<String, ScheduleError> {
        let undeclared = self.declared.as_ref().is_some_and(|d| !d.contains(name));
        if undeclared && self.warned.insert(name.to_owned()) {
            warnings.push(warning(
                "undeclared-room",
                Some(talk),
                format!("room {name:?} has talks but is not in conference.rooms; it was added"),
            ));
        }
        self.key_for(name)
    }
}

/// Warns about each talk that starts before an earlier one in its room has ended. FOSDEM
/// 2021 has such a pair in S.ow2; the import keeps both.
pub(crate) fn overlaps(talks: &[Talk], rooms: &[Room], zone: Zone, warnings: &mut Vec<Warning>) {
    let mut by_room: HashMap<&str, Vec<&Talk>> = HashMap::new();
    for t in talks {
        by_room.entry(t.room.as_str()).or_default().push(t);
    }
    let hm = |ms: i64| {
        time::local(zone.tz, ms)
            .format("%Y-%m-%d %H:%M")
            .to_string()
    };
    for room in rooms {
        let Some(list) = by_room.get_mut(room.key.as_str()) else {
            continue;
        };
        list.sort_by_key(|t| t.start_ms);
        let mut longest: Option<&Talk> = None;
        for t in list.iter() {
            if let Some(prev) = longest.filter(|p| t.start_ms < p.start_ms + p.duration_ms) {
                warnings.push(warning(
                    "overlap",
                    Some(&t.key),
                    format!(
                        "in room {:?}, {:?} starts at {} before {:?} ends at {}",
                        room.name,
                        t.title,
                        hm(t.start_ms),
                        prev.title,
                        hm(prev.start_ms + prev.duration_ms)
                    ),
                ));
            }
            if longest.is_none_or(|p| t.start_ms + t.duration_ms > p.start_ms + p.duration_ms) {
                longest = Some(t);
            }
        }
    }
}
