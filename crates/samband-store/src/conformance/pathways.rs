//! Conformance scenarios for pathway templates, enrolments and hand-overs.

use super::*;
use samband_domain::handover::{FollowUpItem, Handover, HandoverContent, HandoverStatus, Urgency};
use samband_domain::pathway::{CompletedBy, Completion, Enrolment};

fn enrolment(f: &Fixture, key: &str, anchor: &str) -> Enrolment {
    Enrolment {
        id: EnrolmentId::new(),
        patient_id: f.patient.id,
        template_key: key.into(),
        template_version: 1,
        anchor_date: day(anchor),
        enrolled_by: f.team.members[0].id,
        ended_on: None,
        completions: vec![],
        version: 1,
    }
}

pub(super) async fn stored_templates_are_unique_per_key_and_version(store: Arc<dyn Store>) {
    let store = &*store;
    let f = seed(store).await;
    let admin = account("pathway-admin", AccountRole::Admin);
    let mut tx = store.begin().await.unwrap();
    tx.insert_account(&admin).await.unwrap();
    let t = |key: &str, version: u32| StoredTemplate {
        key: key.into(),
        version,
        source: format!("key = \"{key}\"\nversion = {version}\n"),
        created_by: admin.id,
        created_at: t0(),
    };
    tx.insert_stored_template(&t("local_b", 2)).await.unwrap();
    tx.insert_stored_template(&t("local_b", 1)).await.unwrap();
    tx.insert_stored_template(&t("local_a", 1)).await.unwrap();
    tx.commit().await.unwrap();
    // A clash fails the statement (and, on PostgreSQL, its transaction): its own.
    let mut tx = store.begin().await.unwrap();
    assert!(is_conflict(
        &tx.insert_stored_template(&t("local_b", 2)).await
    ));
    drop(tx);
    let mut tx = store.begin_read().await.unwrap();
    let listed: Vec<(String, u32)> = tx
        .list_stored_templates()
        .await
        .unwrap()
        .into_iter()
        .map(|s| (s.key, s.version))
        .collect();
    assert_eq!(
        listed,
        vec![
            ("local_a".into(), 1),
            ("local_b".into(), 1),
            ("local_b".into(), 2)
        ]
    );
    let _ = f;
    tx.commit().await.unwrap();
}

pub(super) async fn enrolments_keep_their_completions_and_are_versioned(store: Arc<dyn Store>) {
    let store = &*store;
    let f = seed(store).await;
    let a = enrolment(&f, "sick_leave_follow_up", "2026-02-02");
    let b = enrolment(&f, "smi_municipal", "2026-03-01");
    let mut tx = store.begin().await.unwrap();
    tx.insert_enrolment(&a, t0()).await.unwrap();
    tx.insert_enrolment(&b, t0() + Duration::seconds(1))
        .await
        .unwrap();
    let by_hand = Completion {
        milestone: "follow_up_plan".into(),
        occurrence: 1,
        on: day("2026-02-20"),
        by: CompletedBy::Manual {
            member: f.team.members[0].id,
            note: "Plan received on paper".into(),
        },
    };
    let by_meeting = Completion {
        milestone: "coordination_meeting".into(),
        occurrence: 2,
        on: day("2026-08-01"),
        by: CompletedBy::Evidence {
            reference: format!("meeting:{}", Uuid::now_v7()),
        },
    };
    assert_eq!(tx.complete_milestone(a.id, &by_hand, 1).await.unwrap(), 2);
    // A stale version, or the same occurrence twice, is a conflict and records nothing.
    assert!(is_conflict(
        &tx.complete_milestone(b.id, &by_meeting, 7).await
    ));
    assert_eq!(
        tx.complete_milestone(b.id, &by_meeting, 1).await.unwrap(),
        2
    );
    tx.commit().await.unwrap();
    let mut tx = store.begin().await.unwrap();
    assert!(is_conflict(&tx.complete_milestone(a.id, &by_hand, 2).await));
    drop(tx);

    let mut tx = store.begin_read().await.unwrap();
    let list = tx.list_enrolments(f.patient.id).await.unwrap();
    assert_eq!(
        list.iter().map(|e| e.id).collect::<Vec<_>>(),
        vec![a.id, b.id],
        "oldest first"
    );
    assert_eq!(list[0].completions, vec![by_hand.clone()]);
    assert_eq!(list[1].completions, vec![by_meeting.clone()]);
    assert_eq!((list[0].version, list[1].version), (2, 2));
    let got = tx.get_enrolment(f.patient.id, b.id).await.unwrap().unwrap();
    assert_eq!(
        got,
        Enrolment {
            version: 2,
            completions: vec![by_meeting],
            ..b.clone()
        }
    );
    assert_eq!(
        tx.get_enrolment(PatientId::new(), b.id).await.unwrap(),
        None
    );
    tx.commit().await.unwrap();

    let mut tx = store.begin().await.unwrap();
    let ended = Enrolment {
        ended_on: Some(day("2026-09-01")),
        ..got
    };
    assert_eq!(tx.update_enrolment(&ended, 2).await.unwrap(), 3);
    assert!(is_conflict(&tx.update_enrolment(&ended, 2).await));
    tx.commit().await.unwrap();
    let mut tx = store.begin_read().await.unwrap();
    let got = tx.get_enrolment(f.patient.id, b.id).await.unwrap().unwrap();
    assert_eq!((got.ended_on, got.version), (Some(day("2026-09-01")), 3));
    tx.commit().await.unwrap();
}

fn handover(f: &Fixture, status: HandoverStatus, ack_due: Option<&str>) -> Handover {
    Handover {
        id: HandoverId::new(),
        patient_id: f.patient.id,
        sender: f.team.members[0].id,
        content: HandoverContent {
            receiver: f.team.members[1].id,
            urgency: Urgency::Yellow,
            done_and_found: "Assessed; stable".into(),
            medication: Some("Sertraline 50 mg".into()),
            medication_plan: None,
            follow_up: vec![FollowUpItem {
                description: "Call within a week".into(),
                owner: f.team.members[1].id,
                due: day("2026-03-10"),
            }],
            warning_signs: Some("Stops eating — call the GP".into()),
            work_capacity: None,
            responsibilities: None,
            patient_summary: "Your nurse calls you next week.".into(),
        },
        status,
        sent_at: (status != HandoverStatus::Draft).then(t0),
        ack_due: ack_due.map(day),
        acknowledged_at: None,
        version: 1,
    }
}

pub(super) async fn handovers_round_trip_are_versioned_and_overdue_ones_found(
    store: Arc<dyn Store>,
) {
    let store = &*store;
    let f = seed(store).await;
    let draft = handover(&f, HandoverStatus::Draft, None);
    let early = handover(&f, HandoverStatus::Sent, Some("2026-03-03"));
    let late = handover(&f, HandoverStatus::Sent, Some("2026-03-05"));
    let mut tx = store.begin().await.unwrap();
    tx.insert_handover(&draft, t0()).await.unwrap();
    tx.insert_handover(&late, t0() + Duration::seconds(1))
        .await
        .unwrap();
    tx.insert_handover(&early, t0() + Duration::seconds(2))
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let mut tx = store.begin().await.unwrap();
    assert!(is_conflict(&tx.insert_handover(&draft, t0()).await));
    drop(tx);

    let mut tx = store.begin_read().await.unwrap();
    assert_eq!(
        tx.get_handover(f.patient.id, late.id).await.unwrap(),
        Some(late.clone()),
        "every section comes back as it was written"
    );
    assert_eq!(
        tx.get_handover(PatientId::new(), late.id).await.unwrap(),
        None
    );
    let ids: Vec<_> = tx
        .list_handovers(f.patient.id)
        .await
        .unwrap()
        .into_iter()
        .map(|h| h.id)
        .collect();
    assert_eq!(ids, vec![early.id, late.id, draft.id], "newest first");
    // Due before 5 March: only the one due on the 3rd; by the 6th both, oldest due first.
    let due = |v: Vec<Handover>| v.into_iter().map(|h| h.id).collect::<Vec<_>>();
    assert_eq!(
        due(tx.handovers_overdue(day("2026-03-05"), 10).await.unwrap()),
        vec![early.id]
    );
    assert_eq!(
        due(tx.handovers_overdue(day("2026-03-06"), 10).await.unwrap()),
        vec![early.id, late.id]
    );
    assert_eq!(
        due(tx.handovers_overdue(day("2026-03-06"), 1).await.unwrap()),
        vec![early.id]
    );
    tx.commit().await.unwrap();

    let mut tx = store.begin().await.unwrap();
    let acked = Handover {
        status: HandoverStatus::Acknowledged,
        acknowledged_at: Some(t0() + Duration::days(1)),
        ..early.clone()
    };
    assert_eq!(tx.update_handover(&acked, 1).await.unwrap(), 2);
    assert!(is_conflict(&tx.update_handover(&acked, 1).await));
    assert_eq!(
        due(tx.handovers_overdue(day("2026-03-06"), 10).await.unwrap()),
        vec![late.id],
        "an acknowledged hand-over no longer escalates"
    );
    assert_eq!(
        tx.get_handover(f.patient.id, early.id).await.unwrap(),
        Some(Handover {
            version: 2,
            ..acked
        })
    );
    tx.commit().await.unwrap();
}
