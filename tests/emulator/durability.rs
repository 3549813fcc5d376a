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
