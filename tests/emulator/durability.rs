use std::sync::{Arc, Mutex};
use std::time::Duration;

use reqwest::Method;

use super::support::{Emulator, user_request};

#[tokio::test]
async fn emulator_sigkill_mid_write_loses_no_acknowledged_write() {
    let directory = tempfile::tempdir().unwrap();
    let data = directory.path().join("okta.json");
    let data_arg = data.to_str().unwrap().to_string();
    let mut emulator = Emulator::start_with(&["--data", &data_arg]);
    let org = emulator.create_org("durable").await;

    let acknowledged = Arc::new(Mutex::new(Vec::<String>::new()));
    let writer = {
        let client = emulator.client.clone();
        let url = format!("{}/api/v1/users", org.url);
        let token = org.token.clone();
        let acknowledged = acknowledged.clone();
        tokio::spawn(async move {
            for index in 0.. {
                let login = format!("svc{index}@durable.example.com");
                let sent = client
                    .post(&url)
                    .header("Authorization", format!("SSWS {token}"))
                    .header("Content-Type", "application/json")
                    .body(user_request(&login, None).to_string())
                    .send()
                    .await;
                match sent {
                    Ok(response) if response.status() == 200 => {
                        acknowledged.lock().unwrap().push(login)
                    }
                    Ok(response) => panic!("unexpected status {}", response.status()),
                    Err(_) => break,
                }
            }
        })
    };
    // Let some writes through, then kill the process while the writer is still sending.
    while acknowledged.lock().unwrap().len() < 5 {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    unsafe {
        libc::kill(emulator.pid() as i32, libc::SIGKILL);
    }
    emulator.kill();
    tokio::time::timeout(Duration::from_secs(30), writer)
        .await
        .unwrap()
        .unwrap();
    let acknowledged = acknowledged.lock().unwrap().clone();
    assert!(acknowledged.len() >= 5);

    let restarted = Emulator::start_with(&["--data", &data_arg]);
    let org_url = format!("{}/durable", restarted.url);
    for login in &acknowledged {
        let answer = restarted
            .get(&format!("{org_url}/api/v1/users/{login}"), &org.token)
            .await;
        assert_eq!(answer.status, 200, "acknowledged {login} was lost");
    }
    // Partner and child tokens survive the restart.
    let partner = restarted
        .get(
            &format!("{}/api/v1/org", restarted.partner_url),
            &restarted.partner_token,
        )
        .await;
    assert_eq!(partner.status, 200);
}

#[tokio::test]
async fn emulator_data_survives_clean_restart_and_reset_clears_it() {
    let directory = tempfile::tempdir().unwrap();
    let data = directory.path().join("state.json");
    let data_arg = data.to_str().unwrap().to_string();
    let mut emulator = Emulator::start_with(&["--data", &data_arg]);
    let org = emulator.create_org("kept").await;
    emulator
        .create_user(&org, "kept@kept.example.com", "")
        .await;
    assert!(emulator.terminate().success());

    let restarted = Emulator::start_with(&["--data", &data_arg]);
    let url = format!("{}/kept/api/v1/users/kept@kept.example.com", restarted.url);
    assert_eq!(restarted.get(&url, &org.token).await.status, 200);
    let reset = restarted.control(Method::POST, "/reset", None).await;
    assert_eq!(reset.status, 200);
    assert_eq!(restarted.get(&url, &org.token).await.status, 404);
    drop(restarted);
    let again = Emulator::start_with(&["--data", &data_arg]);
    let url = format!("{}/kept/api/v1/users/kept@kept.example.com", again.url);
    assert_eq!(
        again.get(&url, &org.token).await.status,
        404,
        "reset is durable too"
    );
    assert_eq!(
        again
            .get(
                &format!("{}/api/v1/org", again.partner_url),
                &again.partner_token
            )
            .await
            .status,
        200
    );
}

fn data_lines(path: &std::path::Path) -> Vec<String> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(str::to_owned)
        .collect()
}

#[tokio::test]
async fn emulator_data_file_is_private_and_grows_by_appending() {
    use std::os::unix::fs::PermissionsExt as _;
    let directory = tempfile::tempdir().unwrap();
    let data = directory.path().join("okta.json");
    let data_arg = data.to_str().unwrap().to_string();
    let mode =
        |path: &std::path::Path| std::fs::metadata(path).unwrap().permissions().mode() & 0o777;

    let mut emulator = Emulator::start_with(&["--data", &data_arg]);
    assert_eq!(mode(&data), 0o600, "every token is in the file");
    let org = emulator.create_org("journal").await;
    let snapshot = data_lines(&data)[0].clone();
    let before = data_lines(&data).len();
    for index in 0..5 {
        let answer = emulator
            .create_user(&org, &format!("svc{index}@journal.example.com"), "")
            .await;
        assert_eq!(answer.status, 200);
    }
    let after = data_lines(&data);
    assert_eq!(
        after.len(),
        before + 5,
        "one appended line per acknowledged write"
    );
    assert_eq!(after[0], snapshot, "a write does not rewrite the file");
    assert!(
        after[before..]
            .iter()
            .all(|line| line.len() < snapshot.len()),
        "each line holds a change, not the state"
    );
    assert!(emulator.terminate().success());

    // A file made readable by others (an older emulator wrote 0644) is made private again, and
    // a start compacts the journal into a new snapshot.
    std::fs::set_permissions(&data, std::fs::Permissions::from_mode(0o644)).unwrap();
    let restarted = Emulator::start_with(&["--data", &data_arg]);
    assert_eq!(mode(&data), 0o600);
    assert_eq!(data_lines(&data).len(), 1, "compacted at start");
    for index in 0..5 {
        let url = format!(
            "{}/journal/api/v1/users/svc{index}@journal.example.com",
            restarted.url
        );
        assert_eq!(restarted.get(&url, &org.token).await.status, 200);
    }
}

#[tokio::test]
async fn emulator_ignores_an_append_cut_short_by_a_crash() {
    let directory = tempfile::tempdir().unwrap();
    let data = directory.path().join("okta.json");
    let data_arg = data.to_str().unwrap().to_string();
    let mut emulator = Emulator::start_with(&["--data", &data_arg]);
    let org = emulator.create_org("torn").await;
    emulator
        .create_user(&org, "kept@torn.example.com", "")
        .await;
    emulator.kill();
    // What a process killed in the middle of an append leaves: a line without its end.
    let mut file = std::fs::OpenOptions::new()
        .append(true)
        .open(&data)
        .unwrap();
    std::io::Write::write_all(&mut file, br#"{"orgs":{"torn":{"header":"#).unwrap();
    drop(file);

    let restarted = Emulator::start_with(&["--data", &data_arg]);
    let url = format!("{}/torn/api/v1/users/kept@torn.example.com", restarted.url);
    assert_eq!(restarted.get(&url, &org.token).await.status, 200);
    let created = restarted
        .create_user(
            &super::support::Org {
                url: format!("{}/torn", restarted.url),
                token: org.token.clone(),
                admin_id: org.admin_id.clone(),
            },
            "after@torn.example.com",
            "",
        )
        .await;
    assert_eq!(
        created.status, 200,
        "the journal goes on after the torn line"
    );
}

/// Control-plane changes go through the same journal as API writes: a token created "in the
/// Admin Console" and a lock-out survive a kill (no clean shutdown).
#[tokio::test]
async fn control_plane_changes_are_journaled_before_the_answer() {
    let directory = tempfile::tempdir().unwrap();
    let data = directory.path().join("state.json");
    let data_arg = data.to_str().unwrap().to_string();
    let mut emulator = Emulator::start_with(&["--data", &data_arg]);
    let org = emulator.create_org("journal").await;
    let created = emulator
        .control(
            Method::POST,
            &format!("/orgs/journal/users/{}/api-tokens", org.admin_id),
            None,
        )
        .await;
    assert_eq!(created.status, 201, "{:?}", created.body);
    let secret = created.body["token"].as_str().unwrap().to_owned();
    emulator
        .create_user(&org, "locked@journal.example", "")
        .await;
    let locked = emulator
        .control(
            Method::POST,
            "/orgs/journal/users/locked%40journal.example/lock",
            None,
        )
        .await;
    assert_eq!(locked.status, 200, "{:?}", locked.body);
    emulator.kill();

    let restarted = Emulator::start_with(&["--data", &data_arg]);
    let me = restarted
        .get(
            &format!("{}/journal/api/v1/users/me", restarted.url),
            &secret,
        )
        .await;
    assert_eq!(me.status, 200, "the console token survives: {:?}", me.body);
    let user = restarted
        .get(
            &format!(
                "{}/journal/api/v1/users/locked@journal.example",
                restarted.url
            ),
            &org.token,
        )
        .await;
    assert_eq!(user.body["status"], "LOCKED_OUT");
}
