use super::*;

fn check(line: &str, expect: Result<&str, (&str, &str)>) {
    match (parse_line(line), expect) {
        (Ok(record), Ok(debug)) => assert_eq!(format!("{record:?}"), debug, "{line}"),
        (Err((field, message)), Err((want_field, want_part))) => {
            assert_eq!(field, want_field, "{line}: {message}");
            assert!(message.contains(want_part), "{line}: {message}");
        }
        (got, want) => panic!("{line}: got {got:?}, want {want:?}"),
    }
}

#[test]
fn records_of_every_type() {
    check(
        r#"{"type":"member","member":"alice","name":"Alice","joined_at":"2024-05-01T08:00:00Z"}"#,
        Ok(
            r#"Member { member: MemberId("alice"), name: "Alice", joined_at: 2024-05-01T08:00:00Z }"#,
        ),
    );
    check(
        r#"{"type":"visit","member":"alice","date":"2024-05-02"}"#,
        Ok(r#"Visit { member: MemberId("alice"), date: 2024-05-02 }"#),
    );
    check(
        r#"{"type":"checkin","member":"alice","date":"2024-05-02"}"#,
        Ok(r#"Checkin { member: MemberId("alice"), date: 2024-05-02, points: 0 }"#),
    );
    check(
        r#"{"type":"checkin","member":"alice","date":"2024-05-02","points":null}"#,
        Ok(r#"Checkin { member: MemberId("alice"), date: 2024-05-02, points: 0 }"#),
    );
    check(
        r#"{"type":"points","member":"bob","amount":-5,"at":"2024-05-03T10:00:00+08:00","key":"t1","reason":"shop"}"#,
        Ok(
            r#"Points { member: MemberId("bob"), amount: -5, at: 2024-05-03T02:00:00Z, key: "t1", reason: Some("shop") }"#,
        ),
    );
    check(
        r#"{"type":"event","member":"bob","kind":"post","at":"2024-05-03T10:00:00Z","idempotency_key":"p9","points":3}"#,
        Ok(
            r#"Event { member: MemberId("bob"), kind: "post", at: 2024-05-03T10:00:00Z, idempotency_key: "p9", points: 3 }"#,
        ),
    );
}

#[test]
fn errors_name_the_field() {
    check("not json", Err(("line", "not a JSON object")));
    check("[1]", Err(("line", "not a JSON object")));
    check(r#"{"member":"a"}"#, Err(("type", "missing")));
    check(
        r#"{"type":"post"}"#,
        Err(("type", "unknown record type 'post'")),
    );
    check(
        r#"{"type":"visit","date":"2024-05-02"}"#,
        Err(("member", "missing")),
    );
    let long = format!(
        r#"{{"type":"visit","member":"{}","date":"2024-05-02"}}"#,
        "m".repeat(129)
    );
    check(&long, Err(("member", "longer than 128")));
    check(
        r#"{"type":"visit","member":"a\u0007","date":"2024-05-02"}"#,
        Err(("member", "control")),
    );
    check(
        r#"{"type":"visit","member":"a","date":"2024-02-30"}"#,
        Err(("date", "not a date")),
    );
    check(
        r#"{"type":"visit","member":"a","date":20240502}"#,
        Err(("date", "must be a string")),
    );
    check(
        r#"{"type":"visit","member":"a","date":"2024-05-02","points":1}"#,
        Err(("line", "unknown field 'points'")),
    );
    check(
        r#"{"type":"member","member":"a","name":"\u200b","joined_at":"2024-05-01T08:00:00Z"}"#,
        Err(("name", "no visible character")),
    );
    check(
        r#"{"type":"member","member":"a","name":"A","joined_at":"2024-05-01"}"#,
        Err(("joined_at", "RFC 3339")),
    );
    check(
        r#"{"type":"checkin","member":"a","date":"2024-05-02","points":-1}"#,
        Err(("points", "from 0")),
    );
    check(
        r#"{"type":"checkin","member":"a","date":"2024-05-02","points":1.5}"#,
        Err(("points", "whole number")),
    );
    check(
        r#"{"type":"points","member":"a","amount":0,"at":"2024-05-01T08:00:00Z","key":"k"}"#,
        Err(("amount", "must not be 0")),
    );
    check(
        r#"{"type":"points","member":"a","amount":5,"at":"2024-05-01T08:00:00Z"}"#,
        Err(("key", "missing")),
    );
    check(
        r#"{"type":"points","member":"a","amount":5,"at":"2024-05-01T08:00:00Z","key":" "}"#,
        Err(("key", "empty")),
    );
    check(
        r#"{"type":"event","member":"a","kind":"post","at":"2024-05-01T08:00:00Z","idempotency_key":"k","points":2000000000}"#,
        Err(("points", "from 0 to 1000000000")),
    );
}

#[test]
fn a_file_is_read_whole() {
    let file = "\n{\"type\":\"visit\",\"member\":\"a\",\"date\":\"2024-05-02\"}\n\n\
                {\"type\":\"visit\",\"member\":\"b\",\"date\":\"2024-05-03\"}\n";
    let records = parse_history(file).unwrap();
    assert_eq!(records.iter().map(|(n, _)| *n).collect::<Vec<_>>(), [2, 4]);
    let bad = "{\"type\":\"visit\",\"member\":\"a\",\"date\":\"2024-05-02\"}\n\
               {\"type\":\"visit\",\"member\":\"a\"}\n\
               {\"type\":\"nope\"}\n";
    let errors = parse_history(bad).unwrap_err();
    assert_eq!(
        errors.iter().map(ToString::to_string).collect::<Vec<_>>(),
        [
            "line 2: date: missing",
            "line 3: type: unknown record type 'nope' (member, visit, checkin, points or event)"
        ]
    );
    let many: String = (0..100).map(|_| "x\n").collect();
    assert_eq!(parse_history(&many).unwrap_err().len(), MAX_ERRORS);
}
