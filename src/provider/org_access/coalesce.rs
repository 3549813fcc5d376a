//! Questions to one org that arrive together, answered by one listing. Terraform plans and
//! applies several resources at once, so the accounts of one org ask the same kind of question
//! (who holds this login, this mailbox) within moments of each other. The first asker waits a
//! moment for others, then answers every pending question with one call (of up to ten keys);
//! those that arrive meanwhile wait for it to finish, and the next of them answers all of
//! theirs. A failed batch fails only its runner: every other asker then asks alone, so each
//! reports its own error.

use std::collections::HashMap;
use std::future::Future;
use std::sync::Mutex;
use std::time::Duration;

use tokio::sync::oneshot;

/// How the first of a batch waits for others to join it: in steps, until a listing's worth
/// (`FULL_BATCH`) is pending, nobody has arrived for `QUIET_STEPS` steps, or `GATHERING_LIMIT`
/// has passed. Terraform's plan walk asks in waves (its parallelism at once, within a few
/// milliseconds), its apply walk one by one as earlier resources finish, hence the quiet rule.
/// Against Okta (a call takes 100 ms or more) questions also gather while a listing is out;
/// the pause matters against a fast server, where it is most of a plan's cost, so it is kept
/// to a few milliseconds, checked every 2 ms (measured in docs/benchmarks.md, "Plan overhead").
const GATHERING_STEP: Duration = Duration::from_millis(2);
const QUIET_STEPS: u32 = 15;
const GATHERING_LIMIT: Duration = Duration::from_millis(100);
const FULL_BATCH: usize = 10;

/// Pending questions of one kind, keyed by a string (an address, a login).
pub struct Coalesced<T> {
    pending: Mutex<Vec<(String, oneshot::Sender<Option<T>>)>>,
    turn: tokio::sync::Mutex<()>,
}

impl<T> Default for Coalesced<T> {
    fn default() -> Self {
        Coalesced {
            pending: Mutex::new(Vec::new()),
            turn: tokio::sync::Mutex::new(()),
        }
    }
}

impl<T: Clone + Default> Coalesced<T> {
    /// The answer for `key`. `answer` answers a batch of keys: a key missing from its map has
    /// the default answer (nobody holds it). `all_asked` tells, given how many questions are
    /// pending, whether no more are on their way (the caller may know how many of its
    /// operations are still to ask): the batch then goes without waiting further.
    pub async fn ask<F, Fut, E>(
        &self,
        key: &str,
        all_asked: impl Fn(usize) -> bool,
        answer: F,
    ) -> Result<T, E>
    where
        F: Fn(Vec<String>) -> Fut,
        Fut: Future<Output = Result<HashMap<String, T>, E>>,
    {
        let (reply, mut answered) = oneshot::channel();
        lock(&self.pending).push((key.to_owned(), reply));
        let _turn = self.turn.lock().await;
        match answered.try_recv() {
            Ok(Some(value)) => return Ok(value),
            // The batch failed, or its runner was cancelled: ask alone.
            Ok(None) | Err(oneshot::error::TryRecvError::Closed) => {
                let mut alone = answer(vec![key.to_owned()]).await?;
                return Ok(alone.remove(key).unwrap_or_default());
            }
            Err(oneshot::error::TryRecvError::Empty) => {}
        }
        // Nobody answered this question yet: answer it and every other pending one.
        let started = tokio::time::Instant::now();
        let mut waiting = lock(&self.pending).len();
        let mut quiet = 0;
        while waiting < FULL_BATCH
            && !all_asked(waiting)
            && quiet < QUIET_STEPS
            && started.elapsed() < GATHERING_LIMIT
        {
            tokio::time::sleep(GATHERING_STEP).await;
            let now_waiting = lock(&self.pending).len();
            quiet = if now_waiting == waiting { quiet + 1 } else { 0 };
            waiting = now_waiting;
        }
        let batch = std::mem::take(&mut *lock(&self.pending));
        let mut keys: Vec<String> = batch.iter().map(|(key, _)| key.clone()).collect();
        keys.sort();
        keys.dedup();
        tracing::debug!(questions = keys.len(), "answering questions together");
        match answer(keys).await {
            Ok(answers) => {
                for (key, reply) in batch {
                    let _ = reply.send(Some(answers.get(&key).cloned().unwrap_or_default()));
                }
                Ok(answers.get(key).cloned().unwrap_or_default())
            }
            Err(error) => {
                for (_, reply) in batch {
                    let _ = reply.send(None);
                }
                Err(error)
            }
        }
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    type Outcome = Result<Vec<String>, String>;

    /// `questions` askers at once, each for its own key; the answer names a holder per key,
    /// and its first call fails when `first_call_fails`. Returns each asker's outcome, in order,
    /// and how many calls were made.
    async fn ask_together(questions: usize, first_call_fails: bool) -> (Vec<Outcome>, usize) {
        let coalesced = Arc::new(Coalesced::<Vec<String>>::default());
        let calls = Arc::new(AtomicUsize::new(0));
        let tasks: Vec<_> = (0..questions)
            .map(|n| {
                let coalesced = coalesced.clone();
                let calls = calls.clone();
                tokio::spawn(async move {
                    let answer = |keys: Vec<String>| {
                        let calls = calls.clone();
                        async move {
                            if calls.fetch_add(1, Ordering::SeqCst) == 0 && first_call_fails {
                                return Err("lost".to_owned());
                            }
                            Ok(keys
                                .into_iter()
                                .map(|key| (key.clone(), vec![format!("holder of {key}")]))
                                .collect())
                        }
                    };
                    coalesced.ask(&format!("k{n}"), |_| false, answer).await
                })
            })
            .collect();
        let mut outcomes = Vec::new();
        for task in tasks {
            outcomes.push(task.await.unwrap());
        }
        (outcomes, calls.load(Ordering::SeqCst))
    }

    #[tokio::test]
    async fn questions_asked_together_are_answered_by_one_call() {
        let (outcomes, calls) = ask_together(8, false).await;
        for (n, outcome) in outcomes.into_iter().enumerate() {
            assert_eq!(outcome.unwrap(), vec![format!("holder of k{n}")]);
        }
        assert!((1..=2).contains(&calls), "{calls} calls for 8 questions");
    }

    #[tokio::test]
    async fn a_failed_batch_lets_every_other_asker_ask_alone() {
        // The first call fails, however many questions it answers; later ones succeed.
        let (outcomes, _) = ask_together(3, true).await;
        let failed = outcomes.iter().filter(|o| o.is_err()).count();
        assert_eq!(failed, 1, "{outcomes:?}");
        for (n, outcome) in outcomes.iter().enumerate() {
            if let Ok(holders) = outcome {
                assert_eq!(holders, &vec![format!("holder of k{n}")]);
            }
        }
    }
}
