//! Conformance scenarios for the coordinator's caseload registry.

use super::*;
use samband_domain::case_review::CaseReview;
use samband_domain::pathway::Enrolment;
use samband_domain::registry::{Cutoffs, Filter, Flag, Sort};

fn q<'a>(f: &Fixture, filter: &'a Filter, sort: Sort) -> RegistryQuery<'a> {
    RegistryQuery {
        professional: f.gp.id,
        cutoffs: Cutoffs::at(t0(), today()),
        filter,
        sort,
    }
}

async fn walk(tx: &mut Box<dyn Tx>, q: &RegistryQuery<'_>, limit: i64) -> Vec<RegistryRow> {
    let mut out = Vec::new();
    let mut page = PageAt::first(limit);
    for _ in 0..50 {
        let rows = tx.registry_page(q, &page).await.unwrap();
        assert!(rows.len() as i64 <= limit);
        let Some(last) = rows.last() else { break };
        page = PageAt::after(last.sort_key.clone(), last.patient_id.as_uuid(), limit);
        out.extend(rows);
    }
    out
}

/// Every fact of a row on a world with one patient of each kind: contact by meeting
/// and by message, receipts, requests, overdue work, an enrolment, and a patient never
/// contacted; the flags filter and each order walks every row once.
pub(super) async fn registry_rows_hold_their_facts_and_filter_and_sort_in_the_store(
    store: Arc<dyn Store>,
) {
    let store = &*store;
    let w = seed_world(store).await;
    let f = &w.f;
    // A second patient: the GP is a member but not the coordinator, nobody has been
    // in touch since the membership began on 1 January.
    let quiet = patient("Aas Pasient");
    let quiet_team = CareTeam {
        patient_id: quiet.id,
        members: vec![member(&f.gp, f.org.id, false, None)],
        version: 0,
    };
    // A third patient on someone else's caseload only.
    let other = patient("Berg Pasient");
    let other_team = CareTeam {
        patient_id: other.id,
        members: vec![member(&f.nurse, f.org.id, true, None)],
        version: 0,
    };
    let overdue = action(f, "2026-10-01");
    let held = Meeting {
        id: MeetingId::new(),
        patient_id: f.patient.id,
        kind: MeetingKind::Coordination,
        mode: MeetingMode::InPerson,
        title: "Coordination".into(),
        starts_at: t0() - Duration::days(5),
        duration_minutes: 60,
        video_link: None,
        place: Some("Room 2".into()),
        organiser_account_id: w.gp.id,
        organiser_name: "Dr. Test Lege".into(),
        pre_read_policy: PreReadPolicy::ProfessionalsOnly,
        pre_read_days: 3,
        follow_up_date: None,
        summary: None,
        status: MeetingStatus::Held,
        sequence: 0,
        created_at: t0() - Duration::days(20),
        version: 1,
    };
    let cancelled = Meeting {
        id: MeetingId::new(),
        starts_at: t0() - Duration::days(1),
        status: MeetingStatus::Cancelled,
        ..held.clone()
    };
    let next = Meeting {
        id: MeetingId::new(),
        starts_at: t0() + Duration::days(7),
        status: MeetingStatus::Planned,
        ..held.clone()
    };
    let later = Meeting {
        id: MeetingId::new(),
        starts_at: t0() + Duration::days(30),
        status: MeetingStatus::Planned,
        ..held.clone()
    };
    let enrolled = Enrolment {
        id: EnrolmentId::new(),
        patient_id: f.patient.id,
        template_key: "depression_discharge".into(),
        template_version: 1,
        anchor_date: day("2026-03-02"),
        enrolled_by: f.team.members[0].id,
        ended_on: None,
        completions: vec![],
        version: 1,
    };
    let mut tx = store.begin().await.unwrap();
    for (p, t) in [(&quiet, &quiet_team), (&other, &other_team)] {
        tx.insert_patient(p).await.unwrap();
        tx.save_team(t, 0).await.unwrap();
    }
    tx.insert_action(&overdue).await.unwrap();
    for m in [&held, &cancelled, &next, &later] {
        tx.insert_meeting(m).await.unwrap();
    }
    tx.insert_enrolment(&enrolled, t0()).await.unwrap();
    tx.commit().await.unwrap();
    // The GP asks the patient for a receipt ten days ago; the patient wrote two days
    // ago (the latest contact, later than the meeting held five days ago).
    let thread = seed_thread(store, &w, "Blood test", t0() - Duration::days(10)).await;
    let asked = message(&w, &thread, t0() - Duration::days(10), true);
    let answered = Message {
        id: MessageId::new(),
        author_account_id: w.patient.id,
        author_name: "Test Pasient".into(),
        sent_at: t0() - Duration::days(2),
        needs_ack: false,
        ack_due: None,
        ..asked.clone()
    };
    let rthread = seed_thread(store, &w, "Status report", t0()).await;
    let req = Request {
        id: RequestId::new(),
        thread_id: rthread.id,
        patient_id: f.patient.id,
        kind: RequestKind::StatusReport,
        status: RequestStatus::Requested,
        questions: vec!["How is work going?".into()],
        answers: vec![],
        answer_note: None,
        decline_reason: None,
        requester_account_id: w.patient.id,
        requester_name: "Test Pasient".into(),
        addressee_account_id: w.gp.id,
        addressee_member_id: f.team.members[0].id,
        addressee_name: "Dr. Test Lege".into(),
        action_id: w.action.id,
        due_date: day("2026-11-09"),
        created_at: t0(),
        answered_at: None,
        version: 1,
    };
    let mut tx = store.begin().await.unwrap();
    tx.insert_message(&asked, &[recipient(&asked, &w.patient)])
        .await
        .unwrap();
    tx.insert_message(&answered, &[recipient(&answered, &w.gp)])
        .await
        .unwrap();
    tx.insert_request(&req).await.unwrap();
    tx.commit().await.unwrap();

    let none = Filter::default();
    let mut tx = store.begin_read().await.unwrap();
    let rows = walk(&mut tx, &q(f, &none, Sort::Name), 10).await;
    assert_eq!(
        tx.count_registry(&q(f, &none, Sort::Name)).await.unwrap(),
        2
    );
    assert_eq!(
        rows.iter().map(|r| r.patient_id).collect::<Vec<_>>(),
        vec![quiet.id, f.patient.id],
        "the GP's two patients by name; the nurse's patient is not on the GP's caseload"
    );
    let (aas, mine) = (&rows[0], &rows[1]);
    assert_eq!(mine.name, "Test Pasient");
    assert_eq!(mine.member_id, f.team.members[0].id);
    assert!(mine.is_coordinator && !aas.is_coordinator);
    assert_eq!(mine.my_sector, Some(Sector::Primary));
    assert_eq!(
        mine.enrolled_on,
        day("2026-03-02"),
        "the enrolment's anchor"
    );
    assert_eq!(
        aas.enrolled_on,
        day("2026-01-01"),
        "else the membership's start"
    );
    assert_eq!(
        (mine.open_actions, mine.overdue_actions),
        (2, 1),
        "the world's action and the overdue one"
    );
    assert_eq!(mine.open_requests, 1);
    assert_eq!(mine.pending_receipts, 1);
    assert_eq!(
        mine.last_contact,
        Some(t0() - Duration::days(2)),
        "the patient's message, not the cancelled meeting"
    );
    assert_eq!(mine.next_contact, Some(t0() + Duration::days(7)));
    assert!(!mine.no_contact && aas.no_contact);
    assert_eq!(aas.last_contact, None);
    assert_eq!(
        (aas.open_actions, aas.open_requests, aas.pending_receipts),
        (0, 0, 0)
    );
    assert_eq!(mine.needs_new_owner, 0);
    assert!(!mine.safety && !mine.not_improving);

    // Filters, and their counts, in the store.
    let overdue_only = Filter {
        flags: vec![Flag::Overdue],
        ..Filter::default()
    };
    let r = walk(&mut tx, &q(f, &overdue_only, Sort::Name), 10).await;
    assert_eq!(
        r.iter().map(|r| r.patient_id).collect::<Vec<_>>(),
        vec![f.patient.id]
    );
    assert_eq!(
        tx.count_registry(&q(f, &overdue_only, Sort::Name))
            .await
            .unwrap(),
        1
    );
    let quiet_only = Filter {
        flags: vec![Flag::NoContact],
        ..Filter::default()
    };
    let r = walk(&mut tx, &q(f, &quiet_only, Sort::Name), 10).await;
    assert_eq!(
        r.iter().map(|r| r.patient_id).collect::<Vec<_>>(),
        vec![quiet.id]
    );
    let both = Filter {
        flags: vec![Flag::NoContact, Flag::Overdue],
        ..Filter::default()
    };
    assert_eq!(
        tx.count_registry(&q(f, &both, Sort::Name)).await.unwrap(),
        0
    );
    let coordinating = Filter {
        flags: vec![],
        coordinating: true,
        ..Filter::default()
    };
    let r = walk(&mut tx, &q(f, &coordinating, Sort::Name), 10).await;
    assert_eq!(
        r.iter().map(|r| r.patient_id).collect::<Vec<_>>(),
        vec![f.patient.id]
    );

    // Orders: longest without contact first (never contacted first), most overdue
    // first, longest in treatment first; a page of one walks each the same.
    for (sort, want) in [
        (Sort::LastContact, vec![quiet.id, f.patient.id]),
        (Sort::Overdue, vec![f.patient.id, quiet.id]),
        (Sort::Enrolled, vec![quiet.id, f.patient.id]),
        (Sort::LatestScore, {
            let mut v = vec![quiet.id, f.patient.id];
            v.sort_by_key(|p| p.as_uuid());
            v
        }),
    ] {
        let got: Vec<_> = walk(&mut tx, &q(f, &none, sort), 1)
            .await
            .iter()
            .map(|r| r.patient_id)
            .collect();
        assert_eq!(got, want, "{sort}");
    }
    tx.commit().await.unwrap();
}

/// Thirty patients with tied names and tied overdue counts, walked three at a time in
/// each order: every patient exactly once, in the order the whole list sorts.
pub(super) async fn registry_pages_walk_every_row_once_in_each_order(store: Arc<dyn Store>) {
    let store = &*store;
    let f = seed(store).await;
    let names = ["Dahl", "Aas", "Berg"];
    let mut tx = store.begin().await.unwrap();
    for i in 0..30usize {
        let p = patient(names[i % 3]);
        let team = CareTeam {
            patient_id: p.id,
            members: vec![member(&f.gp, f.org.id, i % 2 == 0, None)],
            version: 0,
        };
        tx.insert_patient(&p).await.unwrap();
        tx.save_team(&team, 0).await.unwrap();
        for _ in 0..(i % 4) {
            let a = Action {
                id: ActionId::new(),
                patient_id: p.id,
                owner_member_id: team.members[0].id,
                ..action(&f, "2026-10-01")
            };
            tx.insert_action(&a).await.unwrap();
        }
    }
    tx.commit().await.unwrap();
    let none = Filter::default();
    let mut tx = store.begin_read().await.unwrap();
    for sort in Sort::ALL.iter().copied() {
        let all = walk(&mut tx, &q(&f, &none, sort), 100).await;
        assert_eq!(
            all.len(),
            31,
            "{sort}: the fixture's patient and thirty more"
        );
        let paged = walk(&mut tx, &q(&f, &none, sort), 3).await;
        assert_eq!(
            paged.iter().map(|r| r.patient_id).collect::<Vec<_>>(),
            all.iter().map(|r| r.patient_id).collect::<Vec<_>>(),
            "{sort}: pages of three walk the same order"
        );
        if sort == Sort::Overdue {
            assert!(
                all.windows(2)
                    .all(|w| w[0].overdue_actions >= w[1].overdue_actions),
                "most overdue first"
            );
        }
        if sort == Sort::Name {
            assert!(all.windows(2).all(|w| w[0].name <= w[1].name), "by name");
        }
    }
    tx.commit().await.unwrap();
}

/// A patient who joined the caseload three days ago is new until a case review is
/// recorded; the review queue holds exactly the new (and, with self-monitoring, the
/// not-improving and safety) rows; reviews are listed newest first, per patient.
pub(super) async fn case_reviews_end_newness_and_are_listed_newest_first(store: Arc<dyn Store>) {
    let store = &*store;
    let f = seed(store).await;
    let fresh = patient("Dahl Ny");
    let fresh_member = TeamMember {
        active_from: today() - Duration::days(3),
        ..member(&f.gp, f.org.id, true, None)
    };
    let team = CareTeam {
        patient_id: fresh.id,
        members: vec![fresh_member.clone()],
        version: 0,
    };
    let task = Action {
        id: ActionId::new(),
        patient_id: fresh.id,
        owner_member_id: fresh_member.id,
        ..action(&f, "2026-11-20")
    };
    let mut tx = store.begin().await.unwrap();
    tx.insert_patient(&fresh).await.unwrap();
    tx.save_team(&team, 0).await.unwrap();
    tx.insert_action(&task).await.unwrap();
    tx.commit().await.unwrap();
    let review_queue = Filter {
        review: true,
        ..Filter::default()
    };
    let new_only = Filter {
        flags: vec![Flag::New],
        ..Filter::default()
    };
    let mut tx = store.begin_read().await.unwrap();
    let rows = walk(&mut tx, &q(&f, &review_queue, Sort::Name), 10).await;
    assert_eq!(
        rows.iter().map(|r| r.patient_id).collect::<Vec<_>>(),
        vec![fresh.id]
    );
    assert!(rows[0].is_new && rows[0].last_review.is_none());
    assert_eq!(
        tx.count_registry(&q(&f, &new_only, Sort::Name))
            .await
            .unwrap(),
        1
    );
    tx.commit().await.unwrap();

    let review = |text: &str, at: DateTime<Utc>| CaseReview {
        id: Uuid::now_v7(),
        patient_id: fresh.id,
        reviewer: fresh_member.id,
        recommendation: text.into(),
        to_member: fresh_member.id,
        due: day("2026-11-20"),
        action_id: task.id,
        created_at: at,
    };
    let first = review("Start sertraline 50 mg", t0() - Duration::hours(2));
    let second = review("Raise to 100 mg", t0() - Duration::hours(1));
    let mut tx = store.begin().await.unwrap();
    tx.insert_case_review(&first).await.unwrap();
    tx.insert_case_review(&second).await.unwrap();
    tx.commit().await.unwrap();
    // Rolled back: not kept.
    let mut tx = store.begin().await.unwrap();
    tx.insert_case_review(&review("Lost", t0())).await.unwrap();
    drop(tx);

    let mut tx = store.begin_read().await.unwrap();
    assert_eq!(
        tx.list_case_reviews(fresh.id).await.unwrap(),
        vec![second.clone(), first]
    );
    assert!(tx.list_case_reviews(f.patient.id).await.unwrap().is_empty());
    assert_eq!(
        tx.count_registry(&q(&f, &review_queue, Sort::Name))
            .await
            .unwrap(),
        0
    );
    let all = walk(&mut tx, &q(&f, &Filter::default(), Sort::Name), 10).await;
    let row = all.iter().find(|r| r.patient_id == fresh.id).unwrap();
    assert!(!row.is_new);
    assert_eq!(row.last_review, Some(second.created_at));
    tx.commit().await.unwrap();
}
