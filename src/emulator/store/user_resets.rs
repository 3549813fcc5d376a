//! Resets an admin makes to a user beyond its status: all its factors at once, its sessions.
//! The emulator has no sign-in, so a user has no sessions and its only factor is the security
//! question (see `delete_factor`); each reset still checks the user and logs Okta's event.

use serde_json::json;

use super::{ApiError, Audit, Org, UserStatus};

impl Org {
    /// `POST /api/v1/users/{id}/lifecycle/reset_factors`: every factor back to unenrolled,
    /// which for the emulator is the security question; `user.mfa.factor.reset_all`.
    pub fn reset_factors(&mut self, audit: &Audit, id_or_login: &str) -> Result<(), ApiError> {
        let user_id = self.user_id_of(id_or_login)?;
        let user = self.users.found_mut(&user_id, "User")?;
        if user.status == UserStatus::Deprovisioned {
            return Err(ApiError::WrongUserStatus);
        }
        if user.has_recovery_question {
            user.has_recovery_question = false;
            user.recovery_question = None;
            user.last_updated = audit.now;
        }
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

    /// `DELETE /api/v1/users/{id}/sessions`: there is none to end, but the user must exist and
    /// Okta's `user.session.clear` is logged.
    pub fn clear_sessions(&mut self, audit: &Audit, id_or_login: &str) -> Result<(), ApiError> {
        let user_id = self.user_id_of(id_or_login)?;
        let target = self.users.found(&user_id, "User")?.target();
        self.emit(
            audit,
            "user.session.clear",
            "Clear user session",
            vec![target],
            json!({}),
        );
        Ok(())
    }
}
