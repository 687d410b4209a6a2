use axum::http::{Method, StatusCode};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use crate::{OTHER_SECRET, OTHER_SITE, SECRET, SITE, TestServer};

const PATH: &str = "/api/v1/sites/forum/checkin";

/// Every bad token is a 401 with a stable code, and stores nothing.
#[tokio::test]
async fn bad_tokens_are_refused() {
    let server = TestServer::new().await;
    let now = server.now().as_second();
    let good = server.token("alice");
    let (_, claims_and_signature) = good.split_once('.').unwrap();
    let alg_none = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#),
        claims_and_signature
    );
    let unsigned_none = {
        let (header_and_claims, _) = alg_none.rsplit_once('.').unwrap();
        format!("{header_and_claims}.")
    };
    let cases = [
        (
            "forged signature",
            server.token_with("not-the-secret", "alice", SITE, now, now + 60),
            "invalid_token",
        ),
        (
            "expired",
            server.token_with(SECRET, "alice", SITE, now - 7200, now - 3600),
            "token_expired",
        ),
        (
            "other site's token",
            server.token_with(OTHER_SECRET, "alice", OTHER_SITE, now, now + 60),
            "token_site_mismatch",
        ),
        (
            "other site's claim signed with this site's secret",
            server.token_with(SECRET, "alice", OTHER_SITE, now, now + 60),
            "token_site_mismatch",
        ),
        (
            "expires more than 24 h ahead",
            server.token_with(SECRET, "alice", SITE, now, now + 25 * 3600),
            "invalid_token",
        ),
        (
            "lives more than 24 h",
            server.token_with(SECRET, "alice", SITE, now - 24 * 3600, now + 3600),
            "invalid_token",
        ),
        ("alg none", alg_none, "invalid_token"),
        ("alg none unsigned", unsigned_none, "invalid_token"),
        ("garbage", "not-a-token".to_owned(), "invalid_token"),
        (
            "bad member id",
            server.token_with(SECRET, "a\nb", SITE, now, now + 60),
            "invalid_token",
        ),
    ];
    for (what, token, code) in cases {
        for method in [Method::GET, Method::POST] {
            let answer = server.call(method.clone(), PATH, Some(&token), None).await;
            assert_eq!(answer.status, StatusCode::UNAUTHORIZED, "{what} {method}");
            assert_eq!(answer.code(), code, "{what} {method}");
            assert!(answer.body["error"]["message"].is_string(), "{what}");
        }
    }
    server.assert_nothing_stored().await;
}

#[tokio::test]
async fn missing_token() {
    let server = TestServer::new().await;
    for auth in [None, Some("Basic abc")] {
        let mut request = axum::http::Request::post(PATH);
        if let Some(auth) = auth {
            request = request.header("authorization", auth);
        }
        let answer = server
            .send(request.body(axum::body::Body::empty()).unwrap())
            .await;
        assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
        assert_eq!(answer.code(), "missing_token");
    }
    server.assert_nothing_stored().await;
}

#[tokio::test]
async fn a_token_expires_with_the_clock() {
    let server = TestServer::new().await;
    let token = server.token("alice");
    assert_eq!(server.get(PATH, &token).await.status, StatusCode::OK);
    server.set_now("2026-11-20T03:00:00Z");
    let answer = server.get(PATH, &token).await;
    assert_eq!(answer.code(), "token_expired");
}

/// The README's token recipes (Python and Node, standard library only), run exactly as
/// written, mint tokens the server accepts.
#[tokio::test]
async fn the_readme_token_recipes_mint_accepted_tokens() {
    let server = TestServer::new().await;
    // The recipes read the real clock.
    server.set_now(&engage_core::jiff::Timestamp::now().to_string());
    let python = format!(
        "{}\nprint(member_token({SECRET:?}, {SITE:?}, 'py-1', 'Py'))\n",
        crate::readme_block("python", "def member_token")
    );
    let node = format!(
        "{}\nconsole.log(memberToken({SECRET:?}, {SITE:?}, 'js-1', 'Js'));\n",
        crate::readme_block("js", "export function memberToken")
    );
    let run = |program: &str, args: &[&str]| {
        let out = std::process::Command::new(program)
            .args(args)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap().trim().to_owned()
    };
    for token in [
        run("python3", &["-c", &python]),
        run("node", &["--input-type=module", "-e", &node]),
    ] {
        let answer = server.get("/api/v1/sites/forum/checkin", &token).await;
        assert_eq!(answer.status, StatusCode::OK, "{token}: {:?}", answer.body);
    }
}
