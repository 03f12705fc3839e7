use super::catalogue::{shipped, SHIPPED};
use super::needs::NeedsMappingInput;
use super::*;
use crate::ids::MemberId;
use crate::meeting::MeetingKind;
use chrono::NaiveDate;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn template(key: &str) -> PathwayTemplate {
    shipped()
        .unwrap()
        .into_iter()
        .find(|t| t.key == key)
        .unwrap()
}

#[test]
fn every_file_in_the_pathways_folder_is_shipped_and_valid() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("pathways");
    let mut on_disk: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.ends_with(".toml"))
        .collect();
    on_disk.sort();
    let mut listed: Vec<String> = SHIPPED.iter().map(|(n, _)| (*n).to_owned()).collect();
    listed.sort();
    assert_eq!(
        on_disk, listed,
        "a template file is not in catalogue::SHIPPED"
    );
    let all = shipped().unwrap_or_else(|(f, e)| panic!("{f}: {e}"));
    for ((name, _), t) in SHIPPED.iter().zip(&all) {
        assert_eq!(format!("{}.toml", t.key), *name, "file name and key differ");
    }
}

#[test]
fn a_template_survives_the_round_trip_through_toml() {
    for t in shipped().unwrap() {
        let again = PathwayTemplate::from_toml("template", &t.to_toml()).unwrap();
        assert_eq!(again, t);
    }
}

#[test]
fn the_sick_leave_pathway_keeps_the_statutory_weeks() {
    let t = template("sick_leave_follow_up");
    assert_eq!(t.anchor, AnchorKind::SickLeaveStart);
    let due = |k: &str| t.milestone(k).unwrap().window.due_day;
    assert_eq!(due("follow_up_plan"), 4 * 7);
    assert_eq!(due("dialogue_meeting_1"), 7 * 7);
    assert_eq!(due("dialogue_meeting_2"), 26 * 7);
    assert_eq!(due("end_of_benefit"), 52 * 7);
    assert_eq!(
        t.milestone("dialogue_meeting_2").unwrap().completed_by,
        Evidence::Meeting {
            meeting: MeetingKind::DialogueMeeting
        }
    );
}

#[test]
fn the_cancer_pathway_maps_needs_at_three_points_from_the_diagnosis() {
    let t = template("cancer_home");
    assert_eq!(t.anchor, AnchorKind::Diagnosis);
    let points: Vec<_> = t
        .milestones()
        .filter(|(_, m)| matches!(m.completed_by, Evidence::NeedsMapping { .. }))
        .map(|(_, m)| (m.window.opens_day, m.window.due_day))
        .collect();
    // In hospital soon after; then about 3–4 and 12–18 months after the diagnosis.
    assert_eq!(points.len(), 3);
    assert!(points[0].1 <= 30);
    assert!((85..=100).contains(&points[1].0) && (118..=125).contains(&points[1].1));
    assert!((360..=370).contains(&points[2].0) && (540..=550).contains(&points[2].1));
    assert_eq!(
        t.milestone("municipal_contact_named").unwrap().role,
        CareRole::HospitalContact
    );
}

#[test]
fn the_depression_pathway_schedules_contact_within_a_week_and_a_year_of_follow_up() {
    let t = template("depression_discharge");
    let discharge = d(2026, 3, 2);
    let s = schedule(&t, discharge);
    let first = |k: &str| s.iter().find(|x| x.milestone == k).unwrap();
    assert_eq!(first("discharge_planning_meeting").due, discharge);
    assert!(first("discharge_planning_meeting").opens < discharge);
    assert_eq!(first("care_manager_contact").due, d(2026, 3, 9));
    assert_eq!(first("first_follow_up").due, d(2026, 3, 30));
    assert_eq!(first("week_8_response_check").opens, d(2026, 4, 20));
    let monthly: Vec<_> = s
        .iter()
        .filter(|x| x.milestone == "monthly_follow_up")
        .collect();
    assert_eq!(monthly.len(), 10);
    assert!(monthly
        .windows(2)
        .all(|w| (w[1].due - w[0].due).num_days() == 30));
    let last = s.last().unwrap();
    assert_eq!(last.milestone, "handover_to_gp");
    assert_eq!((last.due - discharge).num_days(), 365);
    assert!(
        s.windows(2).all(|w| w[0].due <= w[1].due),
        "not in due order"
    );
}

#[test]
fn the_smi_pathway_repeats_meetings_quarterly_and_crisis_reviews_half_yearly() {
    let t = template("smi_municipal");
    let s = schedule(&t, d(2026, 1, 5));
    let dues = |k: &str| -> Vec<i64> {
        s.iter()
            .filter(|x| x.milestone == k)
            .map(|x| (x.due - d(2026, 1, 5)).num_days())
            .collect()
    };
    assert_eq!(
        dues("coordination_meeting"),
        (1..=8).map(|i| 91 * i).collect::<Vec<_>>()
    );
    assert_eq!(dues("crisis_plan_review"), vec![182, 364, 546, 728]);
    let occ: Vec<u32> = s
        .iter()
        .filter(|x| x.milestone == "crisis_plan_review")
        .map(|x| x.occurrence)
        .collect();
    assert_eq!(occ, vec![1, 2, 3, 4]);
}

#[test]
fn a_milestone_is_upcoming_then_open_then_overdue_unless_done() {
    let t = template("sick_leave_follow_up");
    let start = d(2026, 6, 1);
    for s in schedule(&t, start) {
        let mut day = s.opens - chrono::Duration::days(3);
        while day <= s.due + chrono::Duration::days(3) {
            let want = if day < s.opens {
                MilestoneState::Upcoming
            } else if day <= s.due {
                MilestoneState::Open
            } else {
                MilestoneState::Overdue
            };
            assert_eq!(s.state(day, false), want, "{} on {day}", s.milestone);
            assert_eq!(s.state(day, true), MilestoneState::Done);
            day += chrono::Duration::days(1);
        }
    }
}

fn minimal() -> TemplateInput {
    let src = r#"
key = "tiny"
version = 1
anchor = "enrolment"
title = { en = "T", nb = "T", da = "T" }
summary = { en = "S", nb = "S", da = "S" }
[[phase]]
key = "p"
title = { en = "P", nb = "P", da = "P" }
[[phase.milestone]]
key = "m"
opens_day = 0
due_day = 10
role = "gp"
completed_by = "manual"
title = { en = "M", nb = "M", da = "M" }
patient_text = { en = "M", nb = "M", da = "M" }
"#;
    toml::from_str(src).unwrap()
}

fn fields(r: Result<PathwayTemplate, crate::ValidationErrors>) -> Vec<(String, &'static str)> {
    r.unwrap_err()
        .errors
        .into_iter()
        .map(|e| (e.field, e.code))
        .collect()
}

#[test]
fn the_minimal_template_is_valid() {
    let t = minimal().validate().unwrap();
    assert_eq!(t.milestone("m").unwrap().role, CareRole::Gp);
}

#[test]
fn a_window_that_ends_before_it_opens_is_refused_at_its_field() {
    let mut i = minimal();
    i.phases[0].milestones[0].opens_day = 20;
    assert_eq!(
        fields(i.validate()),
        vec![(
            "phases[0].milestones[0].window.due_day".to_owned(),
            "window_ends_before_start"
        )]
    );
}

#[test]
fn unknown_roles_anchors_and_evidence_are_named() {
    let mut i = minimal();
    i.anchor = "birthday".into();
    i.phases[0].milestones[0].role = "astrologer".into();
    i.phases[0].milestones[0].completed_by = "meeting:party".into();
    let f = fields(i.validate());
    assert!(f.contains(&("anchor".into(), "bad_choice")), "{f:?}");
    assert!(
        f.contains(&("phases[0].milestones[0].role".into(), "bad_choice")),
        "{f:?}"
    );
    assert!(
        f.contains(&("phases[0].milestones[0].completed_by".into(), "bad_choice")),
        "{f:?}"
    );
}

#[test]
fn every_language_is_required_and_keys_are_unique() {
    let mut i = minimal();
    i.phases[0].milestones[0].title.da = "  ".into();
    let mut dup = i.phases[0].milestones[0].clone();
    dup.title.da = "M".into();
    i.phases[0].milestones.push(dup);
    let f = fields(i.validate());
    assert!(
        f.contains(&("phases[0].milestones[0].title.da".into(), "required")),
        "{f:?}"
    );
    assert!(
        f.contains(&("phases[0].milestones[1].key".into(), "duplicate")),
        "{f:?}"
    );
}

#[test]
fn a_repetition_needs_both_how_often_and_how_many_and_stays_within_ten_years() {
    let mut i = minimal();
    i.phases[0].milestones[0].repeat_every_days = Some(30);
    assert_eq!(
        fields(i.clone().validate()),
        vec![(
            "phases[0].milestones[0].repeat_count".to_owned(),
            "required"
        )]
    );
    i.phases[0].milestones[0].repeat_count = Some(200);
    assert_eq!(
        fields(i.validate()),
        vec![(
            "phases[0].milestones[0].repeat_count".to_owned(),
            "out_of_range"
        )]
    );
}

#[test]
fn days_beyond_ten_years_and_unknown_keys_in_the_file_are_refused() {
    let mut i = minimal();
    i.phases[0].milestones[0].due_day = template::MAX_DAY + 1;
    assert_eq!(
        fields(i.validate()),
        vec![(
            "phases[0].milestones[0].window.due_day".to_owned(),
            "out_of_range"
        )]
    );
    let e = PathwayTemplate::from_toml("template", "key = \"x\"\nversion = 1\ncolour = 3\n")
        .unwrap_err();
    assert_eq!(e.errors[0].code, "bad_toml");
}

#[test]
fn evidence_spellings_round_trip() {
    for spec in [
        "manual",
        "needs_mapping",
        "handover_acknowledged",
        "questionnaire:phq9",
        "meeting:dialogue_meeting",
        "meeting:coordination",
    ] {
        assert_eq!(Evidence::parse("f", spec).unwrap().as_spec(), spec);
    }
    for bad in [
        "",
        "meeting:",
        "questionnaire:",
        "questionnaire:PHQ-9",
        "phone:call",
    ] {
        assert!(Evidence::parse("f", bad).is_err(), "{bad}");
    }
}

#[test]
fn a_needs_mapping_hands_each_need_to_a_professional_with_a_date() {
    let today = d(2026, 5, 4);
    let owner = MemberId(uuid::Uuid::now_v7());
    let stranger = MemberId(uuid::Uuid::now_v7());
    let input: NeedsMappingInput = serde_json::from_value(serde_json::json!({
        "point": "months_3_4",
        "held_on": "2026-05-04",
        "needs": [
            {"topic": "nutrition", "description": "Losing weight", "owner": owner, "due": "2026-05-20"},
            {"topic": "housing", "description": "Stairs", "owner": stranger, "due": "2026-04-01"},
        ]
    }))
    .unwrap();
    let e = input.validate(today, |m| m == owner).unwrap_err();
    let f: Vec<_> = e
        .errors
        .iter()
        .map(|e| (e.field.as_str(), e.code))
        .collect();
    assert_eq!(
        f,
        vec![
            ("needs[1].topic", "bad_choice"),
            ("needs[1].owner", "not_a_professional_member"),
            ("needs[1].due", "in_past"),
        ]
    );
    let ok: NeedsMappingInput = serde_json::from_value(serde_json::json!({
        "point": "hospital", "held_on": "2026-05-04", "declined": true
    }))
    .unwrap();
    assert!(ok.validate(today, |_| false).unwrap().declined);
}

fn enrolment(t: &PathwayTemplate, anchor: NaiveDate) -> Enrolment {
    Enrolment {
        id: crate::ids::EnrolmentId::new(),
        patient_id: crate::ids::PatientId::new(),
        template_key: t.key.clone(),
        template_version: t.version,
        anchor_date: anchor,
        enrolled_by: MemberId::new(),
        ended_on: None,
        completions: vec![],
        version: 1,
    }
}

fn complete(e: &mut Enrolment, s: &Scheduled, on: NaiveDate) {
    e.completions.push(Completion {
        milestone: s.milestone.clone(),
        occurrence: s.occurrence,
        on,
        by: CompletedBy::Evidence {
            reference: "meeting".into(),
        },
    });
}

#[test]
fn a_held_meeting_completes_the_earliest_open_occurrence_of_its_kind_only() {
    let t = template("smi_municipal");
    let anchor = d(2026, 1, 5);
    let mut e = enrolment(&t, anchor);
    let coordination = Event::MeetingHeld(MeetingKind::Coordination);
    // Before the first window opens (day 60), a coordination meeting completes nothing.
    assert_eq!(e.completed_by_event(&t, &coordination, d(2026, 2, 1)), None);
    // A meeting of another kind never does.
    assert_eq!(
        e.completed_by_event(&t, &Event::MeetingHeld(MeetingKind::Review), d(2026, 4, 1)),
        None
    );
    // Late, in month 7: the overdue first occurrence comes first, then the second.
    let on = d(2026, 7, 20);
    let first = e.completed_by_event(&t, &coordination, on).unwrap();
    assert_eq!(
        (first.milestone.as_str(), first.occurrence),
        ("coordination_meeting", 1)
    );
    complete(&mut e, &first, on);
    let second = e.completed_by_event(&t, &coordination, on).unwrap();
    assert_eq!(second.occurrence, 2);
    complete(&mut e, &second, on);
    // The third opens on day 60 + 182 = 242 (3 September): not yet.
    assert_eq!(e.completed_by_event(&t, &coordination, on), None);
}

#[test]
fn a_needs_mapping_completes_the_milestone_of_its_own_point() {
    use super::needs::MappingPoint;
    let t = template("cancer_home");
    let anchor = d(2026, 1, 5);
    let e = enrolment(&t, anchor);
    // Day 100: the hospital mapping is overdue and still open, the 3–4-month one is due.
    let on = anchor + chrono::Duration::days(100);
    let at = |p| e.completed_by_event(&t, &Event::NeedsMappingRecorded(p), on);
    assert_eq!(
        at(MappingPoint::Months3To4).map(|s| s.milestone),
        Some("needs_mapping_3_4_months".to_owned()),
        "the conversation at 3–4 months is that milestone, not the open hospital one"
    );
    assert_eq!(
        at(MappingPoint::Hospital).map(|s| s.milestone),
        Some("needs_mapping_hospital".to_owned())
    );
    assert_eq!(
        at(MappingPoint::Months12To18),
        None,
        "its window has not opened"
    );
    // The point is part of the wire spelling and round-trips; an unknown one is refused.
    let spec = Evidence::parse("completed_by", "needs_mapping:months_3_4").unwrap();
    assert_eq!(spec.as_spec(), "needs_mapping:months_3_4");
    assert_eq!(
        Evidence::parse("completed_by", "needs_mapping").unwrap(),
        Evidence::NeedsMapping { point: None }
    );
    assert!(Evidence::parse("completed_by", "needs_mapping:someday").is_err());
}

#[test]
fn overdue_milestones_are_those_past_due_and_not_done_and_none_once_ended() {
    let t = template("sick_leave_follow_up");
    let anchor = d(2026, 1, 5);
    let mut e = enrolment(&t, anchor);
    let today = anchor + chrono::Duration::days(50);
    let overdue: Vec<String> = e
        .overdue(&t, today)
        .into_iter()
        .map(|s| s.milestone)
        .collect();
    assert_eq!(overdue, vec!["follow_up_plan", "dialogue_meeting_1"]);
    let plan = schedule(&t, anchor).into_iter().next().unwrap();
    complete(&mut e, &plan, today);
    let overdue: Vec<String> = e
        .overdue(&t, today)
        .into_iter()
        .map(|s| s.milestone)
        .collect();
    assert_eq!(overdue, vec!["dialogue_meeting_1"]);
    e.ended_on = Some(today);
    assert!(e.overdue(&t, today).is_empty());
}

#[test]
fn a_manual_completion_needs_a_known_milestone_not_yet_done_and_a_note() {
    let t = template("sick_leave_follow_up");
    let anchor = d(2026, 1, 5);
    let today = d(2026, 2, 1);
    let mut e = enrolment(&t, anchor);
    let me = MemberId::new();
    let bad = ManualCompletionInput {
        milestone: "party".into(),
        occurrence: None,
        note: " ".into(),
        on: "2026-03-01".into(),
    };
    let f: Vec<_> = bad
        .validate(&e, &t, me, today)
        .unwrap_err()
        .errors
        .into_iter()
        .map(|x| (x.field, x.code))
        .collect();
    assert_eq!(
        f,
        vec![
            ("milestone".to_owned(), "unknown_milestone"),
            ("note".to_owned(), "required"),
            ("on".to_owned(), "too_late"),
        ]
    );
    let good = ManualCompletionInput {
        milestone: "follow_up_plan".into(),
        occurrence: None,
        note: "Plan received from the employer on paper".into(),
        on: String::new(),
    };
    let c = good.validate(&e, &t, me, today).unwrap();
    assert_eq!((c.on, c.occurrence), (today, 1));
    e.completions.push(c);
    let again = good.validate(&e, &t, me, today).unwrap_err();
    assert_eq!(again.for_field("milestone").unwrap().code, "already_done");
}

#[test]
fn only_the_collaborative_care_episode_closes_with_a_relapse_plan_and_keeps_it_through_toml() {
    let closing: Vec<String> = shipped()
        .unwrap()
        .into_iter()
        .filter(|t| t.closes_with_relapse_plan)
        .map(|t| t.key)
        .collect();
    assert_eq!(closing, vec!["depression_discharge".to_owned()]);
    // A clone edited as TOML keeps the rule, and a template that never says it has none.
    let t = template("depression_discharge");
    let again = PathwayTemplate::from_toml("source", &t.to_toml()).unwrap();
    assert!(again.closes_with_relapse_plan);
    assert!(!template("smi_municipal")
        .to_toml()
        .contains("closes_with_relapse_plan"));
}

#[test]
fn only_the_hand_over_at_the_end_of_the_depression_pathway_closes_the_episode() {
    let t = template("depression_discharge");
    let discharge = d(2026, 3, 2);
    let mut e = enrolment(&t, discharge);
    // The discharge letter: the GP hand-over's window (days 335–365) has not opened.
    assert!(!e.handover_closes_episode(&t, discharge));
    assert!(!e.handover_closes_episode(&t, d(2027, 1, 30)));
    assert!(e.handover_closes_episode(&t, d(2027, 1, 31)));
    // Overdue still closes it; once done, or once the enrolment ended, nothing does.
    assert!(e.handover_closes_episode(&t, d(2027, 6, 1)));
    e.ended_on = Some(d(2027, 2, 1));
    assert!(!e.handover_closes_episode(&t, d(2027, 2, 2)));
    // A template that does not close with a relapse plan never asks for it.
    let smi = template("smi_municipal");
    assert!(!enrolment(&smi, discharge).handover_closes_episode(&smi, d(2030, 1, 1)));
}
