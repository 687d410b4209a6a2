//! Iframe mode: `/embed/{widget}` pages for hosts that cannot run the widgets' script.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};

use crate::{ORIGIN, TestServer};

async fn page(server: &TestServer, uri: &str) -> crate::Answer {
    server
        .send(Request::get(uri).body(Body::empty()).unwrap())
        .await
}

fn html(answer: &crate::Answer) -> &str {
    answer.body.as_str().expect("an HTML body")
}

#[tokio::test]
async fn an_embed_page_holds_one_widget_under_a_strict_policy() {
    let server = TestServer::new().await;
    let answer = page(&server, "/embed/checkin?site=forum&lang=zh-CN&theme=dark").await;
    assert_eq!(answer.status, StatusCode::OK);
    assert!(
        answer.headers[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    let policy = answer.headers[header::CONTENT_SECURITY_POLICY]
        .to_str()
        .unwrap();
    assert!(
        policy.contains("script-src 'self' 'wasm-unsafe-eval'"),
        "{policy}"
    );
    assert!(policy.contains("style-src 'self'"), "{policy}");
    assert!(
        policy.ends_with(&format!("frame-ancestors 'self' {ORIGIN}")),
        "{policy}"
    );
    assert_eq!(answer.headers[header::REFERRER_POLICY], "no-referrer");
    let body = html(&answer);
    assert!(
        body.contains(
            r#"<engage-checkin site="forum" lang="zh-CN" theme="dark"></engage-checkin>"#
        ),
        "{body}"
    );
    assert!(body.contains(r#"<html lang="zh-CN">"#));
    assert!(body.contains(&format!(
        r#"<meta name="engage-origins" content="{ORIGIN}">"#
    )));
    assert!(body.contains(r#"<script type="module" src="/engage.js">"#));
    assert!(body.contains(r#"<script type="module" src="/embed.js">"#));
    assert!(!body.contains("style="), "no inline style");

    let poll = page(&server, "/embed/poll?site=forum&poll=favourite-feature").await;
    assert_eq!(poll.status, StatusCode::OK);
    assert!(html(&poll).contains(r#"<engage-poll site="forum" poll="favourite-feature">"#));
    let lottery = page(&server, "/embed/lottery?site=forum&lottery=spring-wheel").await;
    assert!(html(&lottery).contains(r#"<engage-lottery site="forum" lottery="spring-wheel">"#));
    let feedback = page(&server, "/embed/feedback?site=forum&mode=inline").await;
    assert!(html(&feedback).contains(r#"<engage-feedback site="forum" mode="inline">"#));
}

#[tokio::test]
async fn query_values_cannot_inject_markup() {
    let server = TestServer::new().await;
    let answer = page(
        &server,
        "/embed/checkin?site=forum&lang=%22%3E%3Cscript%3E&theme=x&member-token=a%22%3E%3Cscript%3Ealert(1)%3C%2Fscript%3E",
    )
    .await;
    assert_eq!(answer.status, StatusCode::OK);
    let body = html(&answer);
    assert!(!body.contains("<script>"), "{body}");
    assert!(
        body.contains(r#"member-token="a&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;""#),
        "{body}"
    );
    // Unknown languages and themes are dropped: the widget uses its defaults.
    assert!(
        body.contains(r#"<engage-checkin site="forum" member-token="#),
        "{body}"
    );
}

#[tokio::test]
async fn refused_embeds() {
    let server = TestServer::new().await;
    let cases = [
        ("/embed/leaderboard-x?site=forum", StatusCode::NOT_FOUND),
        ("/embed/lottery?site=forum", StatusCode::BAD_REQUEST),
        ("/embed/checkin", StatusCode::BAD_REQUEST),
        ("/embed/checkin?site=nope", StatusCode::NOT_FOUND),
        ("/embed/checkin?site=..%2F", StatusCode::NOT_FOUND),
        ("/embed/poll?site=forum", StatusCode::BAD_REQUEST),
        (
            "/embed/poll?site=forum&poll=%3Cb%3E",
            StatusCode::BAD_REQUEST,
        ),
    ];
    for (uri, status) in cases {
        let answer = page(&server, uri).await;
        assert_eq!(answer.status, status, "{uri}");
        assert!(
            answer
                .headers
                .get(header::CONTENT_SECURITY_POLICY)
                .is_none(),
            "{uri}"
        );
    }
}
