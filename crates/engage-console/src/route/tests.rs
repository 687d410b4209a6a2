//! Paths and routes, both ways.

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use super::{Route, SitePage};

fn site(site: &str, page: SitePage) -> Route {
    Route::Site {
        site: site.to_owned(),
        page,
    }
}

/// `path?query` reads as `route`, and `route` writes back as `path` (with its query).
fn check(path: &str, route: Route) {
    let (bare, query) = path.split_once('?').unwrap_or((path, ""));
    assert_eq!(Route::parse(bare, query), route, "parsing {path}");
    assert_eq!(route.href(), path, "writing {route:?}");
}

#[test]
fn every_page_has_one_path() {
    check("/console/", Route::Home);
    check("/console/sign-in", Route::SignIn);
    check(
        "/console/setup?token=a%2Bb",
        Route::Setup {
            token: "a+b".to_owned(),
        },
    );
    check("/console/sites", Route::Sites);
    check("/console/sites/demo", site("demo", SitePage::Overview));
    check("/console/sites/demo/rules", site("demo", SitePage::Rules));
    check(
        "/console/sites/demo/rewards",
        site("demo", SitePage::Rewards),
    );
    check("/console/sites/demo/polls", site("demo", SitePage::Polls));
    check(
        "/console/sites/demo/polls/new",
        site("demo", SitePage::Poll("new".to_owned())),
    );
    check(
        "/console/sites/demo/lotteries/w1",
        site("demo", SitePage::Lottery("w1".to_owned())),
    );
    check(
        "/console/sites/demo/feedback",
        site("demo", SitePage::Feedback),
    );
    check(
        "/console/sites/demo/members/u%2F1",
        site("demo", SitePage::Member("u/1".to_owned())),
    );
    check(
        "/console/sites/demo/webhooks",
        site("demo", SitePage::Webhooks),
    );
    check("/console/sites/demo/audit", site("demo", SitePage::Audit));
    check("/console/sites/demo/export", site("demo", SitePage::Export));
    check(
        "/console/sites/demo/analytics",
        site("demo", SitePage::Analytics),
    );
}

#[test]
fn loose_paths_still_find_their_page() {
    assert_eq!(Route::parse("/console", ""), Route::Home);
    assert_eq!(
        Route::parse("/console/sites/demo/", ""),
        site("demo", SitePage::Overview)
    );
    assert_eq!(
        Route::parse("/console/setup", ""),
        Route::Setup {
            token: String::new()
        }
    );
}

#[test]
fn unknown_paths_are_not_found() {
    for path in [
        "/console/nope",
        "/console/sites/demo/nope",
        "/console/sites/demo/polls/a/b",
        "/elsewhere",
    ] {
        assert_eq!(Route::parse(path, ""), Route::NotFound, "{path}");
    }
}
