//! What a schedule import changes, decided before anything is written: the dry run's
//! report and the applied import are the same plan. Sans-IO: the parsed schedule and
//! what is stored go in; the report and the [`ImportWrite`] for one transaction come out.
//!
//! Import is idempotent by key: a talk already stored (same key) is updated where the
//! file changed it, a new key is added, a stored talk the file no longer has is
//! cancelled (never deleted: it may have questions). A talk that is live or over keeps
//! its times and room whatever the file says (its texts still follow the file).

use std::collections::{HashMap, HashSet};

use liboo_db::{
    Channel, ConferenceFields, ImportWrite, RoomSpec, ScheduleSource, Talk, TalkFields, TalkState,
    TalkUpsert,
};
use liboo_schedule::{Format, Schedule, Warning};
use serde::Serialize;

/// One talk as the report names it.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TalkLine {
    /// The talk's key.
    pub key: String,
    /// Its title.
    pub title: String,
    /// Its room's name.
    pub room: String,
    /// Its scheduled start (RFC 3339, UTC).
    pub start: String,
    /// What changed (`changed` only): `title`, `time`, `room`, ...
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub changes: Vec<&'static str>,
}

/// A room as the report names it.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RoomLine {
    /// The room's key (its guid, else its name).
    pub key: String,
    /// Its name.
    pub name: String,
    /// Made by this import.
    pub new: bool,
    /// Talks the file has in it.
    pub talks: usize,
}

/// The conference as the import leaves it.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ConferenceLine {
    /// URL name.
    pub slug: String,
    /// Title.
    pub title: String,
    /// IANA zone.
    pub time_zone: String,
    /// First day.
    pub start_date: String,
    /// Last day.
    pub end_date: String,
    /// Schedule days that have talks, in order.
    pub days: Vec<String>,
    /// The file's format.
    pub format: Format,
    /// The file's version string.
    pub version: String,
}

/// The dry run's answer, and the applied import's.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Report {
    /// The conference.
    pub conference: ConferenceLine,
    /// Every room of the schedule.
    pub rooms: Vec<RoomLine>,
    /// Talks new to the conference.
    pub added: Vec<TalkLine>,
    /// Stored talks the file changes.
    pub changed: Vec<TalkLine>,
    /// Stored talks gone from the file: they become cancelled.
    pub cancelled: Vec<TalkLine>,
    /// Stored talks the file leaves as they are.
    pub unchanged: usize,
    /// What was odd in the file or in applying it.
    pub warnings: Vec<Warning>,
    /// Whether this import was written (false: a dry run).
    pub applied: bool,
}

/// A planned import.
#[derive(Clone, Debug)]
pub struct Plan {
    /// What it changes.
    pub report: Report,
    /// What applying it writes.
    pub write: ImportWrite,
}

/// What the plan needs besides the schedule and the stored talks.
pub struct Target<'a> {
    /// The conference's slug (an existing conference's, or the one to make).
    pub slug: &'a str,
    /// `public` or `unlisted`.
    pub visibility: &'a str,
    /// The stored conference's rooms (empty for a new conference).
    pub rooms: &'a [Channel],
    /// The stored conference's talks (empty for a new conference).
    pub talks: &'a [Talk],
    /// The URL the file came from, if fetched.
    pub source_url: Option<&'a str>,
    /// A new room's channel keys from its key: `(session key, SHA-256 of its stream key)`.
    pub room_keys: &'a dyn Fn(&str) -> (String, String),
}

/// Plans importing `schedule` into `target`.
pub fn plan(schedule: &Schedule, target: &Target<'_>) -> Plan {
    let mut warnings = schedule.warnings.clone();
    let stored_rooms: HashMap<&str, &Channel> = target
        .rooms
        .iter()
        .filter_map(|c| c.room.as_ref().map(|r| (r.key.as_str(), c)))
        .collect();
    let room_names: HashMap<&str, &str> = schedule
        .rooms
        .iter()
        .map(|r| (r.key.as_str(), r.name.as_str()))
        .collect();
    let room_name_of_channel: HashMap<i64, &str> = target
        .rooms
        .iter()
        .filter_map(|c| c.room.as_ref().map(|r| (c.id, r.name.as_str())))
        .collect();
    let mut talks_per_room: HashMap<&str, usize> = HashMap::new();
    for t in &schedule.talks {
        *talks_per_room.entry(t.room.as_str()).or_default() += 1;
    }
    let base = target.rooms.len() as i64;
    let mut rooms = Vec::new();
    let mut specs = Vec::new();
    let mut new_count = 0;
    for r in &schedule.rooms {
        let stored = stored_rooms.get(r.key.as_str());
        let (session_key, stream_key_hash) = (target.room_keys)(&r.key);
        specs.push(RoomSpec {
            key: r.key.clone(),
            name: r.name.clone(),
            position: match stored.and_then(|c| c.room.as_ref()) {
                Some(info) => info.position,
                None => {
                    new_count += 1;
                    base + new_count
                }
            },
            session_key,
            stream_key_hash,
        });
        rooms.push(RoomLine {
            key: r.key.clone(),
            name: r.name.clone(),
            new: stored.is_none(),
            talks: talks_per_room.get(r.key.as_str()).copied().unwrap_or(0),
        });
    }
    let stored_by_key: HashMap<&str, &Talk> = target
        .talks
        .iter()
        .map(|t| (t.fields.talk_key.as_str(), t))
        .collect();
    let room_key_of_channel: HashMap<i64, &str> = target
        .rooms
        .iter()
        .filter_map(|c| c.room.as_ref().map(|r| (c.id, r.key.as_str())))
        .collect();
    let (mut added, mut changed, mut upserts) = (Vec::new(), Vec::new(), Vec::new());
    let mut unchanged = 0;
    let mut seen = HashSet::new();
    for t in &schedule.talks {
        seen.insert(t.key.as_str());
        let fields = talk_fields(t);
        let line = |changes| TalkLine {
            key: t.key.clone(),
            title: t.title.clone(),
            room: room_names.get(t.room.as_str()).unwrap_or(&"").to_string(),
            start: liboo_service::iso(t.start_ms),
            changes,
        };
        match stored_by_key.get(t.key.as_str()) {
            None => {
                added.push(line(Vec::new()));
                upserts.push(TalkUpsert {
                    existing: None,
                    room_key: t.room.clone(),
                    fields,
                });
            }
            Some(old) => {
                let old_room = room_key_of_channel.get(&old.channel_id).copied();
                let mut changes = differences(&old.fields, &fields);
                if old_room != Some(t.room.as_str()) {
                    changes.push("room");
                }
                let moved = changes.iter().any(|c| matches!(*c, "time" | "room"));
                if old.state.is_fixed() && moved {
                    warnings.push(Warning {
                        code: "kept-fixed-talk".into(),
                        talk: Some(t.key.clone()),
                        message: format!(
                            "\"{}\" is {}: its time and room stay as they were",
                            t.title,
                            old.state.as_str().replace('_', " ")
                        ),
                    });
                    changes.retain(|c| !matches!(*c, "time" | "room" | "day"));
                }
                let revived = old.state == TalkState::Cancelled;
                if revived {
                    changes.push("restored");
                }
                if changes.is_empty() {
                    unchanged += 1;
                } else {
                    changed.push(line(changes));
                    upserts.push(TalkUpsert {
                        existing: Some(old.id),
                        room_key: t.room.clone(),
                        fields,
                    });
                }
            }
        }
    }
    let mut cancelled = Vec::new();
    let mut cancel = Vec::new();
    for old in target.talks {
        if seen.contains(old.fields.talk_key.as_str()) || old.state == TalkState::Cancelled {
            continue;
        }
        let line = TalkLine {
            key: old.fields.talk_key.clone(),
            title: old.fields.title.clone(),
            room: room_name_of_channel
                .get(&old.channel_id)
                .unwrap_or(&"")
                .to_string(),
            start: liboo_service::iso(old.fields.sched_start_ms),
            changes: Vec::new(),
        };
        if old.state.is_fixed() {
            warnings.push(Warning {
                code: "kept-fixed-talk".into(),
                talk: Some(old.fields.talk_key.clone()),
                message: format!(
                    "\"{}\" is gone from the file but is {}: it is kept",
                    old.fields.title,
                    old.state.as_str().replace('_', " ")
                ),
            });
            continue;
        }
        cancelled.push(line);
        cancel.push(old.id);
    }
    let c = &schedule.conference;
    let mut days: Vec<String> = schedule.talks.iter().map(|t| t.day.clone()).collect();
    days.sort();
    days.dedup();
    let report = Report {
        conference: ConferenceLine {
            slug: target.slug.to_owned(),
            title: c.title.clone(),
            time_zone: c.time_zone.clone(),
            start_date: c.start_date.clone(),
            end_date: c.end_date.clone(),
            days,
            format: schedule.format,
            version: schedule.version.clone(),
        },
        rooms,
        added,
        changed,
        cancelled,
        unchanged,
        warnings,
        applied: false,
    };
    let write = ImportWrite {
        conference: ConferenceFields {
            slug: target.slug.to_owned(),
            title: c.title.clone(),
            time_zone: c.time_zone.clone(),
            day_change_minutes: i64::from(c.day_change_minutes),
            start_date: c.start_date.clone(),
            end_date: c.end_date.clone(),
            description: c.description.clone(),
            logo: c.logo.clone(),
            url: c.url.clone(),
            visibility: target.visibility.to_owned(),
        },
        source: ScheduleSource {
            url: target.source_url.map(str::to_owned),
            format: match schedule.format {
                Format::FrabXml => "frab-xml",
                Format::FrabJson => "frab-json",
            }
            .to_owned(),
            version: schedule.version.clone(),
        },
        rooms: specs,
        upserts,
        cancel,
    };
    Plan { report, write }
}

/// A parsed talk as the database stores it.
pub fn talk_fields(t: &liboo_schedule::Talk) -> TalkFields {
    let persons: Vec<serde_json::Value> = t
        .persons
        .iter()
        .map(|p| serde_json::json!({"name": p.name, "biography": p.biography, "avatar": p.avatar}))
        .collect();
    let links: Vec<serde_json::Value> = t
        .links
        .iter()
        .map(|l| serde_json::json!({"url": l.url, "title": l.title}))
        .collect();
    TalkFields {
        talk_key: t.key.clone(),
        guid: t.guid.clone(),
        code: t.code.clone(),
        source_id: t.source_id.clone(),
        slug: t.slug.clone(),
        title: t.title.clone(),
        subtitle: t.subtitle.clone(),
        abstract_text: t.abstract_text.clone(),
        description: t.description.clone(),
        track: t.track.clone(),
        kind: t.kind.clone(),
        language: t.language.clone(),
        url: t.url.clone(),
        day: t.day.clone(),
        sched_start_ms: t.start_ms,
        duration_ms: t.duration_ms,
        do_not_record: t.do_not_record,
        persons: serde_json::Value::Array(persons).to_string(),
        links: serde_json::Value::Array(links).to_string(),
    }
}

/// The names of what differs between a stored talk and the file's.
fn differences(old: &TalkFields, new: &TalkFields) -> Vec<&'static str> {
    let mut out = Vec::new();
    if old.sched_start_ms != new.sched_start_ms || old.duration_ms != new.duration_ms {
        out.push("time");
    }
    if old.day != new.day {
        out.push("day");
    }
    let texts: [(&'static str, &str, &str); 9] = [
        ("title", &old.title, &new.title),
        ("subtitle", &old.subtitle, &new.subtitle),
        ("abstract", &old.abstract_text, &new.abstract_text),
        ("description", &old.description, &new.description),
        ("track", &old.track, &new.track),
        ("type", &old.kind, &new.kind),
        ("language", &old.language, &new.language),
        ("speakers", &old.persons, &new.persons),
        ("links", &old.links, &new.links),
    ];
    out.extend(texts.iter().filter(|(_, a, b)| a != b).map(|(n, _, _)| *n));
    if old.do_not_record != new.do_not_record {
        out.push("recording");
    }
    if old.url != new.url || old.slug != new.slug {
        out.push("url");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use liboo_db::RoomInfo;

    fn parsed(talks: &[(&str, i64, &str)]) -> Schedule {
        let events: Vec<String> = talks
            .iter()
            .enumerate()
            .map(|(i, (guid, start_min, title))| {
                format!(
                    r#"<event id="{id}" guid="{guid}"><date>2030-05-01T{h:02}:{m:02}:00+00:00</date><start>{h:02}:{m:02}</start>
<duration>00:30</duration><room>Hall</room><title>{title}</title></event>"#,
                    id = i + 1,
                    h = start_min / 60,
                    m = start_min % 60
                )
            })
            .collect();
        let xml = format!(
            r#"<schedule><version>2</version><conference><acronym>c</acronym><title>C</title>
<time_zone_name>UTC</time_zone_name></conference><day index="1" date="2030-05-01"><room name="Hall">{}</room></day></schedule>"#,
            events.join("")
        );
        liboo_schedule::parse(xml.as_bytes(), None, &Default::default()).unwrap()
    }

    fn stored(id: i64, guid: &str, start_min: i64, title: &str, state: TalkState) -> Talk {
        let schedule = parsed(&[(guid, start_min, title)]);
        Talk {
            id,
            conference_id: 1,
            channel_id: 7,
            fields: talk_fields(&schedule.talks[0]),
            state,
            state_ms: 0,
            manual: false,
            actual_start_ms: None,
            actual_end_ms: None,
            cut_in_ms: None,
            cut_out_ms: None,
            replay_broadcast_id: None,
            updated_ms: 0,
        }
    }

    fn hall() -> Channel {
        Channel {
            id: 7,
            session_key: "hall".into(),
            settings: Default::default(),
            live_broadcast_id: None,
            created_ms: 0,
            updated_ms: 0,
            room: Some(RoomInfo {
                conference_id: 1,
                key: "Hall".into(),
                name: "Hall".into(),
                position: 1,
            }),
        }
    }

    const G1: &str = "00000000-0000-4000-8000-000000000001";
    const G2: &str = "00000000-0000-4000-8000-000000000002";
    const G3: &str = "00000000-0000-4000-8000-000000000003";
    const G4: &str = "00000000-0000-4000-8000-000000000004";

    #[test]
    fn a_new_import_of_a_stored_conference() {
        let rooms = [hall()];
        let talks = [
            // Live now: the file moves it an hour, which must not happen.
            stored(1, G1, 600, "Live one", TalkState::Live),
            // Scheduled: the file moves it, which happens.
            stored(2, G2, 660, "Later one", TalkState::Scheduled),
            // Gone from the file: cancelled.
            stored(3, G3, 720, "Dropped", TalkState::Scheduled),
        ];
        let file = parsed(&[
            (G1, 660, "Live one"),
            (G2, 690, "Later one"),
            (G4, 750, "New one"),
        ]);
        let keys = |room: &str| (format!("sk-{room}"), format!("h-{room}"));
        let plan = plan(
            &file,
            &Target {
                slug: "c",
                visibility: "public",
                rooms: &rooms,
                talks: &talks,
                source_url: None,
                room_keys: &keys,
            },
        );
        let r = &plan.report;
        assert_eq!(
            r.added.iter().map(|t| t.key.as_str()).collect::<Vec<_>>(),
            [G4]
        );
        assert_eq!(r.changed.len(), 1, "{:?}", r.changed);
        assert_eq!(r.changed[0].key, G2);
        assert_eq!(r.changed[0].changes, ["time"]);
        assert_eq!(
            r.cancelled
                .iter()
                .map(|t| t.key.as_str())
                .collect::<Vec<_>>(),
            [G3]
        );
        assert_eq!(r.unchanged, 1, "the live talk's move is not a change");
        assert!(
            r.warnings
                .iter()
                .any(|w| w.code == "kept-fixed-talk" && w.talk.as_deref() == Some(G1)),
            "{:?}",
            r.warnings
        );
        assert!(!r.rooms[0].new);
        assert_eq!(plan.write.cancel, [3]);
        assert_eq!(plan.write.upserts.len(), 2);
        assert!(plan.write.upserts.iter().all(|u| u.existing != Some(1)));
    }
}
