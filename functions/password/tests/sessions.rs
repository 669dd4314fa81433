use axum::http::StatusCode;
use portal_domain::session::REUSE_GRACE;
use portal_testkit::{PASSWORD, TestApp, USER_AGENT, person};

#[tokio::test]
async fn a_login_gives_a_working_token_pair_and_is_recorded() {
    let app = TestApp::start();
    app.registered_user(person("ada@example.com")).await;

    let reply = app.log_in("ADA@example.com", PASSWORD).await;

    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let me = app.me(&reply.id("access_token")).await;
    assert_eq!(me.status, StatusCode::OK);
    let staff_view = app.store.snapshot().to_string();
    assert!(
        staff_view.contains(USER_AGENT),
        "the login event keeps the user agent"
    );
}

#[tokio::test]
async fn logins_and_the_last_login_are_visible_to_staff_in_the_contact_detail() {
    let app = TestApp::start();
    app.registered_user(person("ada@example.com")).await;
    app.log_in("ada@example.com", "wrong password entirely")
        .await;
    app.clock.advance(time::Duration::seconds(1));
    app.log_in("ada@example.com", PASSWORD).await;
    let found = app.find_contacts("ada@example.com").await;
    let contact_id = found.body["items"][0]["contact_id"]
        .as_str()
        .unwrap()
        .to_owned();

    let detail = app.contact(&contact_id).await;

    let user = &detail.body["portal_user"];
    assert_eq!(user["status"], "active", "{}", detail.body);
    assert!(user["last_login_at"].is_string());
    let logins = user["logins"].as_array().unwrap();
    assert_eq!(logins.len(), 2);
    assert_eq!(logins[0]["success"], true, "newest first");
    assert_eq!(logins[1]["success"], false);
    assert_eq!(logins[0]["user_agent"], USER_AGENT);
}

#[tokio::test]
async fn every_login_failure_is_the_same_401() {
    let app = TestApp::start();
    app.registered_user(person("ada@example.com")).await;
    app.invitation_for(person("invited@example.com")).await;

    let mut bodies = Vec::new();
    for (username, password) in [
        ("ada@example.com", "wrong password entirely"),
        ("nobody@example.com", PASSWORD),
        ("invited@example.com", PASSWORD),
        ("not an email", PASSWORD),
    ] {
        let reply = app.log_in(username, password).await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{username}");
        assert_eq!(reply.body["code"], "invalid_credentials");
        bodies.push(reply.bytes);
    }
    bodies.dedup();
    assert_eq!(bodies.len(), 1, "the failures differ");
}

#[tokio::test]
async fn ten_failures_lock_the_account_even_for_the_right_password() {
    let app = TestApp::start();
    app.registered_user(person("ada@example.com")).await;
    for _ in 0..10 {
        assert_eq!(
            app.log_in("ada@example.com", "wrong password entirely")
                .await
                .status,
            StatusCode::UNAUTHORIZED
        );
    }

    let locked = app.log_in("ada@example.com", PASSWORD).await;

    locked.assert_problem(StatusCode::TOO_MANY_REQUESTS, "too_many_attempts");
    assert_eq!(locked.headers["retry-after"], "900");
    app.clock.advance(time::Duration::minutes(15));
    assert_eq!(
        app.log_in("ada@example.com", PASSWORD).await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn an_unknown_username_locks_exactly_like_a_known_one() {
    let app = TestApp::start();
    app.registered_user(person("ada@example.com")).await;
    let mut answers = Vec::new();

    for username in ["ada@example.com", "nobody@example.com"] {
        let mut statuses = Vec::new();
        for _ in 0..11 {
            statuses.push(app.log_in(username, "wrong password entirely").await);
        }
        answers.push(statuses);
    }

    let (known, unknown) = (&answers[0], &answers[1]);
    for (attempt, (known, unknown)) in known.iter().zip(unknown).enumerate() {
        assert_eq!(known.status, unknown.status, "attempt {attempt}");
        assert_eq!(known.bytes, unknown.bytes, "attempt {attempt}");
        assert_eq!(
            known.headers.get("retry-after"),
            unknown.headers.get("retry-after"),
            "attempt {attempt}"
        );
    }
    assert_eq!(known[9].status, StatusCode::UNAUTHORIZED);
    assert_eq!(known[10].status, StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn a_lock_is_counted_on_the_username_however_it_is_typed() {
    let app = TestApp::start();
    app.registered_user(person("ada@example.com")).await;
    for username in ["ada@example.com", "ADA@example.com", " Ada@Example.COM "] {
        for _ in 0..3 {
            app.log_in(username, "wrong password entirely").await;
        }
    }
    app.log_in("ada@example.com", "wrong password entirely")
        .await;

    let locked = app.log_in("ada@example.com", PASSWORD).await;

    assert_eq!(locked.status, StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn parallel_guesses_are_each_counted_and_none_answers_409() {
    let app = TestApp::start();
    app.registered_user(person("ada@example.com")).await;

    let guesses = (0..30).map(|n| {
        let password = if n == 17 {
            PASSWORD
        } else {
            "wrong password entirely"
        };
        app.log_in("ada@example.com", password)
    });
    let replies = futures::future::join_all(guesses).await;

    for reply in &replies {
        assert!(
            [
                StatusCode::OK,
                StatusCode::UNAUTHORIZED,
                StatusCode::TOO_MANY_REQUESTS
            ]
            .contains(&reply.status),
            "{} {}",
            reply.status,
            reply.body
        );
    }
    let checked = replies
        .iter()
        .filter(|reply| reply.status != StatusCode::TOO_MANY_REQUESTS)
        .count();
    assert!(checked <= 10, "{checked} passwords were checked");
}

#[tokio::test]
async fn the_hundredth_consecutive_failure_locks_until_a_password_reset() {
    let app = TestApp::start();
    app.registered_user(person("ada@example.com")).await;
    let mut failures = 0;
    while failures < 100 {
        match app
            .log_in("ada@example.com", "wrong password entirely")
            .await
            .status
        {
            StatusCode::UNAUTHORIZED => failures += 1,
            StatusCode::TOO_MANY_REQUESTS => app.clock.advance(time::Duration::days(1)),
            other => panic!("{other}"),
        }
    }
    app.clock.advance(time::Duration::days(30));

    let locked = app.log_in("ada@example.com", PASSWORD).await;

    assert_eq!(locked.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(locked.headers["retry-after"], "86400");
    let token = app.reset_link("ada@example.com").await;
    let reset = app.complete_reset(&token, "a brand new passphrase").await;
    assert_eq!(reset.status, StatusCode::OK, "{}", reset.body);
    assert_eq!(
        app.log_in("ada@example.com", "a brand new passphrase")
            .await
            .status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn a_refresh_rotates_and_reusing_the_old_token_ends_the_session() {
    let app = TestApp::start();
    let first = app.registered_user(person("ada@example.com")).await;
    let old = first.refresh_token.as_str();

    let rotated = app.refresh(old).await;
    assert_eq!(rotated.status, StatusCode::OK, "{}", rotated.body);
    let new = rotated.body["refresh_token"].as_str().unwrap();
    assert_ne!(new, old);

    let duplicate = app.refresh(old).await;
    assert_eq!(
        duplicate.status,
        StatusCode::UNAUTHORIZED,
        "a duplicate within the grace is refused"
    );
    app.clock
        .advance(time::Duration::seconds(REUSE_GRACE.whole_seconds()));
    let replay = app.refresh(old).await;
    assert_eq!(replay.status, StatusCode::UNAUTHORIZED);
    let after = app.refresh(new).await;
    assert_eq!(
        after.status,
        StatusCode::UNAUTHORIZED,
        "the family is revoked"
    );
    let me = app.me(&rotated.id("access_token")).await;
    assert_eq!(
        me.status,
        StatusCode::UNAUTHORIZED,
        "its access tokens end with it"
    );
}

#[tokio::test]
async fn logging_out_ends_the_session() {
    let app = TestApp::start();
    let pair = app.registered_user(person("ada@example.com")).await;

    let out = app.log_out(&pair.access_token).await;

    assert_eq!(out.status, StatusCode::NO_CONTENT);
    let refresh = app.refresh(&pair.refresh_token).await;
    assert_eq!(refresh.status, StatusCode::UNAUTHORIZED);
    let me = app.me(&pair.access_token).await;
    assert_eq!(
        me.status,
        StatusCode::UNAUTHORIZED,
        "the access token ends too"
    );
    let other = app.log_in("ada@example.com", PASSWORD).await;
    let still = app.me(&other.id("access_token")).await;
    assert_eq!(still.status, StatusCode::OK, "other sessions go on");
}

#[tokio::test]
async fn me_needs_a_valid_access_token() {
    let app = TestApp::start();

    assert_eq!(app.get("/me").await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(app.me("junk").await.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn the_jwks_publishes_the_key_that_verifies_access_tokens() {
    let app = TestApp::start();

    let reply = app.jwks().await;

    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.body, app.tokens.verifier().jwks());
    assert_eq!(reply.body["keys"][0]["alg"], "EdDSA");
}
