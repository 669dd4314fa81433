//! Approval on DynamoDB: one TransactWriteItems creates the portal user with everything
//! that must hold from its first moment (unique username, the contact's one user, the
//! invitation index, the invitation email), or nothing at all.

use portal_domain::outbox::OutboxMessage;
use portal_domain::registration::Registration;
use portal_domain::user::PortalUser;
use portal_domain::{Refusal, StoreError};

use super::contacts::contact_not_free;
use super::items::{
    organization_key, pending_invitation_item, pending_outbox_item, portal_user_item,
    user_listing_item, username_item,
};
use super::registrations::transition_refused;
use super::{DynamoStore, check, put, update};

impl DynamoStore {
    pub(super) async fn approve(
        &self,
        next: &Registration,
        user: &PortalUser,
        email: &OutboxMessage,
    ) -> Result<(), StoreError> {
        let mut items = vec![put(self.replace_registration(next)?)];
        items.push(put(self.put_new(portal_user_item(user)?)?));
        let username = items.len();
        if let Some(guard) = username_item(user) {
            items.push(put(self.put_new(guard)?));
        }
        let contact = items.len();
        items.push(update(
            self.link_contact_to_user(user.contact_id(), user.id())?,
        ));
        if let Some(pointer) = pending_invitation_item(user) {
            items.push(put(self.put_new(pointer)?));
        }
        items.push(put(self.put_new(pending_outbox_item(email)?)?));
        items.push(put(self.put_new(user_listing_item(user))?));
        let organization = match &user.organization_id() {
            Some(id) => {
                items.push(check(self.exists(organization_key(id))?));
                Some(items.len() - 1)
            }
            None => None,
        };
        // The same order of rules as the embedded store, for when several are broken.
        self.transact(items).await.map_err(|error| {
            transition_refused(error, |failed| {
                contact_not_free(failed, contact)
                    .or_else(|| failed.at(username).then_some(Refusal::UsernameTaken))
                    .or_else(|| {
                        organization
                            .is_some_and(|position| failed.at(position))
                            .then_some(Refusal::OrganizationMissing)
                    })
            })
        })
    }
}
