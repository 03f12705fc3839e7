//! Conformance scenarios for successors: a leaver's open items move in one change.

use super::*;
use samband_domain::plan::GoalAuthor;

/// A physiotherapist who leaves: everything they still hold moves to the GP (the
/// coordinator), flagged; closed items stay; the flags clear as items move on.
pub(super) async fn a_leavers_open_items_move_to_the_successor_flagged(store: Arc<dyn Store>) {
    let store = &*store;
    let w = seed_world(store).await;
    let physio = professional("Test Fysio", "Physiotherapist", vec![w.f.org.id]);
    let physio_acc = Account {
        professional_id: Some(physio.id),
        display_name: "Test Fysio".into(),
        ..account("physio", AccountRole::Professional)
    };
    let pm = member(&physio, w.f.org.id, false, None);
    let mut team = w.f.team.clone();
    team.members.push(pm.clone());
    let gp_member = w.f.team.members[0].id;
    let mut tx = store.begin().await.unwrap();
    tx.insert_professional(&physio).await.unwrap();
    tx.insert_account(&physio_acc).await.unwrap();
    assert_eq!(tx.save_team(&team, 1).await.unwrap(), 2);
    tx.commit().await.unwrap();

    let open = Action {
        owner_member_id: pm.id,
        title: "Exercise plan".into(),
        ..action(&w.f, "2026-11-20")
    };
    let done = Action {
        id: ActionId::new(),
        status: ActionStatus::Done,
        ..open.clone()
    };
    let goal = Goal {
        id: GoalId::new(),
        patient_id: w.f.patient.id,
        author: GoalAuthor::Professional,
        owner_member_id: Some(pm.id),
        text: "Walk to the shop".into(),
        achieved: false,
        created_at: t0(),
        version: 1,
    };
    let achieved = Goal {
        id: GoalId::new(),
        achieved: true,
        ..goal.clone()
    };
    let rthread = seed_thread(store, &w, "Status report", t0()).await;
    let req = Request {
        id: RequestId::new(),
        thread_id: rthread.id,
        patient_id: w.f.patient.id,
        kind: RequestKind::StatusReport,
        status: RequestStatus::Requested,
        questions: vec!["How is walking going?".into()],
        answers: vec![],
        answer_note: None,
        decline_reason: None,
        requester_account_id: w.gp.id,
        requester_name: "Dr. Test Lege".into(),
        addressee_account_id: physio_acc.id,
        addressee_member_id: pm.id,
        addressee_name: "Test Fysio".into(),
        action_id: open.id,
        due_date: day("2026-11-09"),
        created_at: t0(),
        answered_at: None,
        version: 1,
    };
    let answered = Request {
        id: RequestId::new(),
        thread_id: seed_thread(store, &w, "Old", t0()).await.id,
        status: RequestStatus::Answered,
        ..req.clone()
    };
    // Three messages: one the physio alone owes a receipt for, one the GP and the
    // physio both do, one the physio acknowledged already.
    let mthread = seed_thread(store, &w, "Blood test", t0()).await;
    let alone = message(&w, &mthread, t0(), true);
    let both = Message {
        id: MessageId::new(),
        author_account_id: w.patient.id,
        ..message(&w, &mthread, t0() + Duration::minutes(1), true)
    };
    let acked = message(&w, &mthread, t0() + Duration::minutes(2), true);
    let mut tx = store.begin().await.unwrap();
    for a in [&open, &done] {
        tx.insert_action(a).await.unwrap();
    }
    for g in [&goal, &achieved] {
        tx.insert_goal(g).await.unwrap();
    }
    tx.insert_request(&req).await.unwrap();
    tx.insert_request(&answered).await.unwrap();
    tx.insert_message(&alone, &[recipient(&alone, &physio_acc)])
        .await
        .unwrap();
    tx.insert_message(
        &both,
        &[recipient(&both, &physio_acc), recipient(&both, &w.gp)],
    )
    .await
    .unwrap();
    tx.insert_message(&acked, &[recipient(&acked, &physio_acc)])
        .await
        .unwrap();
    assert!(tx
        .acknowledge(acked.id, physio_acc.id, t0() + Duration::hours(1))
        .await
        .unwrap());
    tx.commit().await.unwrap();

    let mut tx = store.begin().await.unwrap();
    let before = tx
        .open_items(w.f.patient.id, pm.id, Some(physio_acc.id))
        .await
        .unwrap();
    let mut receipts = vec![alone.id.as_uuid(), both.id.as_uuid()];
    receipts.sort();
    assert_eq!(
        before,
        OpenItems {
            actions: vec![open.id],
            goals: vec![goal.id],
            requests: vec![req.id],
            receipts: receipts.clone(),
        }
    );
    assert!(!tx.is_participant(rthread.id, physio_acc.id).await.unwrap());
    let succession = Uuid::now_v7();
    let record = SuccessionRecord {
        id: succession,
        patient_id: w.f.patient.id,
        leaver_member_id: pm.id,
        successor_member_id: gp_member,
        last_day: day("2026-11-02"),
        needs_new_owner: true,
        reason: Some("Moved away".into()),
        by_account: w.gp.id,
        at: t0(),
    };
    tx.insert_succession(&record).await.unwrap();
    let moved = tx
        .move_open_items(&HandOverTo {
            patient: w.f.patient.id,
            succession,
            from_member: pm.id,
            to_member: gp_member,
            from_account: Some(physio_acc.id),
            to_account: Some(w.gp.id),
            to_name: "Dr. Test Lege".into(),
            needs_new_owner: true,
        })
        .await
        .unwrap();
    assert_eq!(moved, before);
    // Moved items changed owner and version; closed ones did not.
    let a = tx
        .get_action(w.f.patient.id, open.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!((a.owner_member_id, a.version), (gp_member, 2));
    let d = tx
        .get_action(w.f.patient.id, done.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!((d.owner_member_id, d.version), (pm.id, 1));
    let g = tx.get_goal(w.f.patient.id, goal.id).await.unwrap().unwrap();
    assert_eq!((g.owner_member_id, g.version), (Some(gp_member), 2));
    let g = tx
        .get_goal(w.f.patient.id, achieved.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(g.owner_member_id, Some(pm.id));
    let r = tx.get_request(req.id).await.unwrap().unwrap();
    assert_eq!(
        (
            r.addressee_account_id,
            r.addressee_member_id,
            r.addressee_name.as_str(),
            r.version
        ),
        (w.gp.id, gp_member, "Dr. Test Lege", 2)
    );
    // A request saved with another addressee keeps it (re-addressing).
    let back = Request {
        addressee_account_id: physio_acc.id,
        addressee_member_id: pm.id,
        addressee_name: "Test Fysio".into(),
        ..r.clone()
    };
    assert_eq!(tx.update_request(&back, 2).await.unwrap(), 3);
    let again = tx.get_request(req.id).await.unwrap().unwrap();
    assert_eq!(
        (again.addressee_account_id, again.addressee_member_id),
        (physio_acc.id, pm.id)
    );
    let forward = Request {
        version: 3,
        ..r.clone()
    };
    assert_eq!(tx.update_request(&forward, 3).await.unwrap(), 4);
    let r = tx.get_request(answered.id).await.unwrap().unwrap();
    assert_eq!((r.addressee_member_id, r.version), (pm.id, 1));
    assert!(tx.is_participant(rthread.id, w.gp.id).await.unwrap());
    // Receipts: the successor owes them, once each; the acknowledged one stays.
    let rows: Vec<(MessageId, AccountId, bool)> = tx
        .list_recipients(mthread.id)
        .await
        .unwrap()
        .into_iter()
        .map(|r| (r.message_id, r.account_id, r.acknowledged_at.is_some()))
        .collect();
    let mut expected = vec![
        (alone.id, w.gp.id, false),
        (both.id, w.gp.id, false),
        (acked.id, physio_acc.id, true),
    ];
    expected.sort_by_key(|r| (r.0, r.1));
    let mut rows_sorted = rows.clone();
    rows_sorted.sort_by_key(|r| (r.0, r.1));
    assert_eq!(rows_sorted, expected);
    // Nothing is left with the leaver.
    assert!(tx
        .open_items(w.f.patient.id, pm.id, Some(physio_acc.id))
        .await
        .unwrap()
        .is_empty());
    tx.commit().await.unwrap();

    let mut tx = store.begin().await.unwrap();
    assert_eq!(
        tx.list_successions(w.f.patient.id).await.unwrap(),
        vec![record]
    );
    let flagged: Vec<(String, Uuid)> = tx
        .flagged_items(w.f.patient.id)
        .await
        .unwrap()
        .into_iter()
        .map(|f| {
            assert_eq!((f.holder_member_id, f.leaver_member_id), (gp_member, pm.id));
            (f.kind, f.item_id)
        })
        .collect();
    assert_eq!(
        flagged,
        vec![
            ("action".to_owned(), open.id.as_uuid()),
            ("goal".to_owned(), goal.id.as_uuid()),
            ("request".to_owned(), req.id.as_uuid()),
        ]
    );
    let other = PatientId::new();
    assert_eq!(
        tx.count_flagged(&[w.f.patient.id, other]).await.unwrap(),
        vec![(w.f.patient.id, 3)]
    );
    assert_eq!(tx.count_flagged(&[]).await.unwrap(), vec![]);
    // Reassigning the action (to the nurse) and achieving the goal clear their flags.
    let a = tx
        .get_action(w.f.patient.id, open.id)
        .await
        .unwrap()
        .unwrap();
    let reassigned = Action {
        owner_member_id: w.f.team.members[1].id,
        ..a
    };
    assert_eq!(tx.update_action(&reassigned, 2).await.unwrap(), 3);
    let g = tx.get_goal(w.f.patient.id, goal.id).await.unwrap().unwrap();
    tx.update_goal(
        &Goal {
            achieved: true,
            ..g
        },
        2,
    )
    .await
    .unwrap();
    let left: Vec<String> = tx
        .flagged_items(w.f.patient.id)
        .await
        .unwrap()
        .into_iter()
        .map(|f| f.kind)
        .collect();
    assert_eq!(left, vec!["request".to_owned()]);
    assert_eq!(
        tx.count_flagged(&[w.f.patient.id]).await.unwrap(),
        vec![(w.f.patient.id, 1)]
    );
    tx.commit().await.unwrap();
}
