use proptest::prelude::*;

use super::*;

#[test]
fn spending_below_zero_is_refused_and_changes_nothing() {
    let mut ledger = Ledger::new();
    let earn = Entry {
        source: Source::Checkin,
        amount: 10,
        key: "checkin:2026-11-21".into(),
    };
    assert_eq!(ledger.apply(earn), Ok(Applied::Added { balance: 10 }));
    let spend = Entry {
        source: Source::Makeup,
        amount: -30,
        key: "makeup:2026-11-19".into(),
    };
    assert_eq!(
        ledger.apply(spend),
        Err(LedgerError::InsufficientPoints {
            balance: 10,
            needed: 30
        })
    );
    assert_eq!(ledger.balance(), 10);
    assert_eq!(ledger.entries().len(), 1);
}

#[test]
fn a_repeated_key_is_a_duplicate() {
    let mut ledger = Ledger::new();
    let entry = Entry {
        source: Source::Checkin,
        amount: 10,
        key: "k".into(),
    };
    ledger.apply(entry.clone()).unwrap();
    assert_eq!(ledger.apply(entry), Ok(Applied::Duplicate { balance: 10 }));
}

#[test]
fn daily_caps() {
    let check = |amount, today, cap, expect| assert_eq!(capped_award(amount, today, cap), expect);
    check(10, 0, None, 10);
    check(10, 0, Some(25), 10);
    check(10, 20, Some(25), 5);
    check(10, 25, Some(25), 0);
    check(10, 40, Some(25), 0);
    check(-30, 40, Some(25), -30);
}

#[test]
fn sources_round_trip() {
    for source in Source::ALL {
        assert_eq!(Source::parse(source.as_str()), Some(source));
        let json = serde_json::to_string(&source).unwrap();
        assert_eq!(json, format!("\"{source}\""));
    }
    assert_eq!(Source::parse("bonus"), None);
}

fn arb_entry() -> impl Strategy<Value = Entry> {
    (0..7usize, -50i64..100, 0..20u8).prop_map(|(source, amount, key)| Entry {
        source: Source::ALL[source],
        amount,
        key: format!("k{key}"),
    })
}

proptest! {
    #[test]
    fn balance_is_the_sum_of_entries_and_never_negative(entries in prop::collection::vec(arb_entry(), 0..200)) {
        let mut ledger = Ledger::new();
        for entry in entries {
            let before = ledger.balance();
            match ledger.apply(entry.clone()) {
                Ok(Applied::Added { balance }) => prop_assert_eq!(balance, before + entry.amount),
                Ok(Applied::Duplicate { balance }) => prop_assert_eq!(balance, before),
                Err(LedgerError::InsufficientPoints { .. }) => {
                    prop_assert!(before + entry.amount < 0);
                    prop_assert_eq!(ledger.balance(), before);
                }
                Err(LedgerError::Overflow) => prop_assert!(false, "no overflow at these sizes"),
            }
            let sum: i64 = ledger.entries().iter().map(|e| e.amount).sum();
            prop_assert_eq!(ledger.balance(), sum);
            prop_assert!(ledger.balance() >= 0);
        }
        let mut keys: Vec<_> = ledger.entries().iter().map(|e| e.key.clone()).collect();
        let count = keys.len();
        keys.sort();
        keys.dedup();
        prop_assert_eq!(keys.len(), count, "each key appears once");
    }

    #[test]
    fn a_capped_award_never_exceeds_the_cap(amount in 0i64..1000, today in 0i64..1000, cap in 0i64..1000) {
        let awarded = capped_award(amount, today, Some(cap));
        prop_assert!(awarded >= 0);
        prop_assert!(awarded <= amount);
        prop_assert!(today + awarded <= cap.max(today));
    }
}
