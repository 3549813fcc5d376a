//! A user's credential operations beyond the profile: changing the password with the old one,
//! changing the recovery question with the password, setting a new password with the recovery
//! answer, expiring the password with a temporary one, resetting factors, clearing sessions, and
//! the user's OAuth grants (none: the emulator has no end-user consent).
//!
//! The emulator never keeps a password or a recovery answer: it keeps a [`Verifier`], a salted
//! SHA-256 digest, which checks one without being able to give it back.

use ring::digest::{SHA256, digest};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::users::UserStatus;
use super::{ApiError, Audit, Org, RecoveryQuestion, User, validation};
use crate::util::random_alphanumeric;

/// What checks a secret without keeping it.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct Verifier {
    salt: String,
    digest: String,
}

impl std::fmt::Debug for Verifier {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str("Verifier(..)")
    }
}

impl Verifier {
    pub fn of(secret: &str) -> Verifier {
        let salt = random_alphanumeric(16);
        let digest = Verifier::digest(&salt, secret);
        Verifier { salt, digest }
    }

    pub fn matches(&self, secret: &str) -> bool {
        let candidate = Verifier::digest(&self.salt, secret);
        // Compared in full whatever differs first: no answer's timing tells how close it was.
        candidate.len() == self.digest.len()
            && candidate
                .bytes()
                .zip(self.digest.bytes())
                .fold(0u8, |difference, (a, b)| difference | (a ^ b))
                == 0
    }

    fn digest(salt: &str, secret: &str) -> String {
        let mut input = Vec::with_capacity(salt.len() + secret.len());
        input.extend_from_slice(salt.as_bytes());
        input.extend_from_slice(secret.as_bytes());
        digest(&SHA256, &input)
            .as_ref()
            .iter()
            .map(|byte| format!("{byte:02x}"))
            .collect()
    }
}

/// Okta's answer to a wrong old password or current password (403 `E0000014`, "Update of
/// credentials failed").
fn incorrect(field: &str) -> ApiError {
    ApiError::CredentialsUpdateFailed {
        cause: format!("{field}: The credentials provided were incorrect."),
    }
}

/// The length of the temporary passwords Okta hands out (its recordings show 8 and 12).
const TEMPORARY_PASSWORD_LENGTH: usize = 12;

impl Org {
    /// `POST /api/v1/users/{id}/credentials/change_password`: the old password must be the
    /// user's, the new one must meet the password policy and differ from it. A user in
    /// `PASSWORD_EXPIRED` or `RECOVERY` is `ACTIVE` again afterwards.
    pub fn change_password(
        &mut self,
        audit: &Audit,
        id_or_login: &str,
        old_password: &str,
        new_password: &str,
    ) -> Result<&User, ApiError> {
        let mut causes = Vec::new();
        if old_password.is_empty() {
            causes.push("oldPassword: The field cannot be left blank".to_string());
        }
        if new_password.is_empty() {
            causes.push("newPassword: The field cannot be left blank".to_string());
        }
        if !causes.is_empty() {
            return Err(validation(causes));
        }
        let user = self.find_user(id_or_login)?;
        let user_id = user.id.clone();
        // Okta's reference: "only ... users in STAGED, ACTIVE, PASSWORD_EXPIRED, or RECOVERY
        // status that have a valid password credential".
        if !matches!(
            user.status,
            UserStatus::Staged
                | UserStatus::Active
                | UserStatus::PasswordExpired
                | UserStatus::Recovery
        ) {
            return Err(ApiError::WrongUserStatus);
        }
        if !user.has_password {
            return Err(ApiError::CredentialsUpdateFailed {
                cause: "oldPassword: The user has no password".to_string(),
            });
        }
        // A user saved before verifiers were kept has none: its old password cannot be checked.
        if let Some(verifier) = &user.password_verifier {
            if !verifier.matches(old_password) {
                return Err(incorrect("oldPassword"));
            }
            if verifier.matches(new_password) {
                return Err(ApiError::CredentialsUpdateFailed {
                    cause: "password: Password has been used too recently".to_string(),
                });
            }
        }
        let profile = user.profile.clone();
        self.check_password(new_password, &profile, &[])
            .map_err(policy_refusal)?;
        self.set_password(audit, &user_id, new_password)
    }

    /// `POST /api/v1/users/{id}/credentials/change_recovery_question`: the password proves the
    /// change; the question and answer follow the usual rules. Okta's catalogue has no event
    /// for a changed recovery question.
    pub fn change_recovery_question(
        &mut self,
        audit: &Audit,
        id_or_login: &str,
        password: &str,
        recovery_question: Option<RecoveryQuestion>,
    ) -> Result<&User, ApiError> {
        let mut causes = Vec::new();
        if password.is_empty() {
            causes.push("password: The field cannot be left blank".to_string());
        }
        let Some(question) = recovery_question else {
            causes.push("recovery_question: The field cannot be left blank".to_string());
            return Err(validation(causes));
        };
        causes.extend(question.problems());
        if !causes.is_empty() {
            return Err(validation(causes));
        }
        let user = self.find_user(id_or_login)?;
        let user_id = user.id.clone();
        self.check_current_password(user, password)?;
        let user = self.users.found_mut(&user_id, "User")?;
        user.has_recovery_question = true;
        user.recovery_question = Some(question.question);
        user.recovery_answer_verifier = Some(Verifier::of(&question.answer));
        user.last_updated = audit.now;
        self.users.found(&user_id, "User")
    }

    /// `POST /api/v1/users/{id}/credentials/forgot_password_recovery_question`: the recovery
    /// answer proves the change of password (403 `E0000087` when it does not match).
    pub fn set_password_with_recovery_answer(
        &mut self,
        audit: &Audit,
        id_or_login: &str,
        answer: &str,
        new_password: &str,
    ) -> Result<&User, ApiError> {
        let mut causes = Vec::new();
        if new_password.is_empty() {
            causes.push("password: The field cannot be left blank".to_string());
        }
        if answer.is_empty() {
            causes.push("recovery_question.answer: The field cannot be left blank".to_string());
        }
        if !causes.is_empty() {
            return Err(validation(causes));
        }
        let user = self.find_user(id_or_login)?;
        let user_id = user.id.clone();
        if !matches!(
            user.status,
            UserStatus::Active | UserStatus::PasswordExpired | UserStatus::Recovery
        ) {
            return Err(ApiError::WrongUserStatus);
        }
        if !user.has_recovery_question {
            return Err(ApiError::RecoveryAnswerMismatch);
        }
        if let Some(verifier) = &user.recovery_answer_verifier
            && !verifier.matches(answer)
        {
            return Err(ApiError::RecoveryAnswerMismatch);
        }
        let profile = user.profile.clone();
        self.check_password(new_password, &profile, &[])
            .map_err(policy_refusal)?;
        self.set_password(audit, &user_id, new_password)
    }

    /// `POST /api/v1/users/{id}/lifecycle/expire_password_with_temp_password`: the user's
    /// password becomes a temporary one, returned once, and must be changed at the next sign-in.
    pub fn expire_password_with_temporary(
        &mut self,
        audit: &Audit,
        id_or_login: &str,
    ) -> Result<String, ApiError> {
        let user_id = self.user_id_of(id_or_login)?;
        let user = self.users.found_mut(&user_id, "User")?;
        if !matches!(
            user.status,
            UserStatus::Active | UserStatus::PasswordExpired
        ) {
            return Err(ApiError::WrongUserStatus);
        }
        let temporary = temporary_password();
        user.has_password = true;
        user.password_verifier = Some(Verifier::of(&temporary));
        if user.status == UserStatus::PasswordExpired {
            user.last_updated = audit.now;
        } else {
            user.status = UserStatus::PasswordExpired;
            user.status_changed = Some(audit.now);
            user.last_updated = audit.now;
        }
        let target = user.target();
        self.emit(
            audit,
            "user.account.expire_password",
            "Expire user password",
            vec![target],
            json!({}),
        );
        Ok(temporary)
    }

    /// `POST /api/v1/users/{id}/lifecycle/reset_factors`: every factor back to unenrolled. The
    /// only factor the emulator keeps is the security question.
    pub fn reset_factors(&mut self, audit: &Audit, id_or_login: &str) -> Result<(), ApiError> {
        let user_id = self.user_id_of(id_or_login)?;
        let user = self.users.found_mut(&user_id, "User")?;
        if user.status == UserStatus::Deprovisioned {
            return Err(ApiError::WrongUserStatus);
        }
        user.has_recovery_question = false;
        user.recovery_question = None;
        user.recovery_answer_verifier = None;
        user.last_updated = audit.now;
        let target = user.target();
        self.emit(
            audit,
            "user.mfa.factor.reset_all",
            "Reset all factors for user",
            vec![target],
            json!({}),
        );
        Ok(())
    }

    /// `DELETE /api/v1/users/{id}/sessions`: the emulator has no sign-in, so there is no
    /// session to end; the clearing is logged as Okta logs it.
    pub fn clear_sessions(&mut self, audit: &Audit, id_or_login: &str) -> Result<(), ApiError> {
        let user = self.find_user(id_or_login)?;
        let target = user.target();
        self.emit(
            audit,
            "user.session.clear",
            "Clear user session",
            vec![target],
            json!({}),
        );
        Ok(())
    }

    /// A user's OAuth grants: the emulator has no end-user consent, so there are none, and
    /// revoking them all changes nothing; a grant id is never found.
    pub fn find_user_grant(
        &self,
        id_or_login: &str,
        grant_id: &str,
    ) -> Result<std::convert::Infallible, ApiError> {
        self.find_user(id_or_login)?;
        Err(ApiError::not_found(grant_id, "OAuth2ScopeConsentGrant"))
    }

    /// Refuses `password` unless it is the user's (users saved before verifiers were kept
    /// cannot be checked and pass).
    fn check_current_password(&self, user: &User, password: &str) -> Result<(), ApiError> {
        if !user.has_password {
            return Err(incorrect("password"));
        }
        match &user.password_verifier {
            Some(verifier) if !verifier.matches(password) => Err(incorrect("password")),
            _ => Ok(()),
        }
    }

    /// Sets a password the user chose and logs it: `passwordChanged` moves, and a user who had
    /// to change its password is `ACTIVE`.
    fn set_password(
        &mut self,
        audit: &Audit,
        user_id: &str,
        password: &str,
    ) -> Result<&User, ApiError> {
        let user = self.users.found_mut(user_id, "User")?;
        user.has_password = true;
        user.password_verifier = Some(Verifier::of(password));
        user.password_changed = Some(audit.now);
        user.last_updated = audit.now;
        if matches!(
            user.status,
            UserStatus::PasswordExpired | UserStatus::Recovery
        ) {
            user.status = UserStatus::Active;
            user.status_changed = Some(audit.now);
        }
        let target = user.target();
        self.emit(
            audit,
            "user.account.update_password",
            "Update password for user",
            vec![target],
            json!({}),
        );
        self.users.found(user_id, "User")
    }
}

/// A password the policy refuses, as the credential endpoints answer it: 403 `E0000014` with
/// the policy's reason (the Users API's change of password answers this code where the
/// profile update answers `E0000080`).
fn policy_refusal(error: ApiError) -> ApiError {
    match error {
        ApiError::PasswordPolicy { detail } => ApiError::CredentialsUpdateFailed { cause: detail },
        other => other,
    }
}

/// Letters and digits, with at least one of each kind, so that the usual complexity rules hold.
fn temporary_password() -> String {
    loop {
        let candidate = random_alphanumeric(TEMPORARY_PASSWORD_LENGTH);
        if candidate.chars().any(|c| c.is_ascii_lowercase())
            && candidate.chars().any(|c| c.is_ascii_uppercase())
            && candidate.chars().any(|c| c.is_ascii_digit())
        {
            return candidate;
        }
    }
}
