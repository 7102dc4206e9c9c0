//! The hold operations that only read: the exclusion overlay and the listing.

use alloc::vec::Vec;

use super::{check_items, Checked, Cursor, Holds, Listed, Page};
use crate::bounds::{check_namespace, check_now, check_range, check_str, MAX_ITEM_BYTES, MAX_PAGE};
use crate::error::{Error, Field};
use crate::lease::LeaseState;
use crate::time::Millis;

impl Holds {
    /// Which of `items` are held live at `now`, with fence and expiry: the exclusion overlay a
    /// search query needs. Never writes. Errors, in this order: namespace, items, now.
    pub fn check<S: AsRef<str>>(&self, namespace: &str, items: &[S], now: Millis) -> Result<Checked, Error> {
        check_namespace(namespace)?;
        check_items(items)?;
        check_now(now)?;
        let ns = self.namespaces.get(namespace);
        let items = items
            .iter()
            .map(|item| match ns.and_then(|ns| ns.get(item.as_ref())) {
                Some(record) if record.is_live(now) => {
                    LeaseState::Held { fence: record.fence, expires_at: record.expires_at }
                }
                _ => LeaseState::Free,
            })
            .collect();
        Ok(Checked { items })
    }

    /// Up to `limit` live holds in expiry order (ties by item bytes), starting after `cursor`.
    /// `next` is the cursor of the last listed hold when at least one more live hold follows.
    /// Never writes.
    ///
    /// Errors, in this order: namespace, cursor (an empty or oversized item), limit
    /// (`1..=10000`), now.
    pub fn list(
        &self,
        namespace: &str,
        cursor: Option<&Cursor>,
        limit: u64,
        now: Millis,
    ) -> Result<Page, Error> {
        check_namespace(namespace)?;
        if let Some(cursor) = cursor {
            check_str(Field::Cursor, &cursor.item, MAX_ITEM_BYTES)?;
        }
        check_range(Field::Limit, limit, 1, MAX_PAGE)?;
        check_now(now)?;
        let Some(ns) = self.namespaces.get(namespace) else {
            return Ok(Page { holds: Vec::new(), next: None });
        };
        let after = cursor.map(|cursor| (cursor.expires_at, &*cursor.item));
        let mut holds: Vec<Listed> = ns
            .live_from(now, after)
            .take(limit as usize + 1)
            .map(|(item, record)| Listed {
                item: item.clone(),
                fence: record.fence,
                expires_at: record.expires_at,
            })
            .collect();
        let next = if holds.len() > limit as usize {
            holds.truncate(limit as usize);
            holds.last().map(|last| Cursor { expires_at: last.expires_at, item: last.item.clone() })
        } else {
            None
        };
        Ok(Page { holds, next })
    }
}
