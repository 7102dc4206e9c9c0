//! The keys of a batch: one string crossing instead of one per key.

use leasehold_core::bounds::check_key;

use crate::failure::Failure;

/// Keys concatenated in one string, cut at JS string lengths (UTF-16 code units).
pub struct Keys<'a> {
    text: &'a str,
    lengths: &'a [u32],
}

impl<'a> Keys<'a> {
    /// The keys of `text` cut at `lengths`, refused unless the lengths add up to `text` exactly
    /// and every cut falls between characters.
    pub fn new(text: &'a str, lengths: &'a [u32]) -> Result<Keys<'a>, Failure> {
        let keys = Keys { text, lengths };
        let mut covered = 0;
        let mut count = 0;
        for key in keys.iter() {
            covered += key.len();
            count += 1;
        }
        if count != lengths.len() || covered != text.len() {
            return Err(Failure::InvalidRequest {
                message: "the lengths do not add up to the strings given",
            });
        }
        Ok(keys)
    }

    /// Checks every key as the core would, reporting the first bad one with its position.
    pub fn check_each(&self) -> Result<(), Failure> {
        for (index, key) in self.iter().enumerate() {
            check_key(key).map_err(|error| Failure::CoreAt(error, index))?;
        }
        Ok(())
    }

    /// The keys, in order; stops early when the lengths overrun the text or cut a character.
    pub fn iter(&self) -> impl Iterator<Item = &'a str> + '_ {
        let mut rest = self.text;
        self.lengths.iter().map_while(move |&units| {
            let end = utf8_end(rest, units as usize)?;
            let (key, tail) = rest.split_at_checked(end)?;
            rest = tail;
            Some(key)
        })
    }
}

/// The byte length of the first `units` UTF-16 code units of `text`, when they end on a
/// character boundary.
fn utf8_end(text: &str, units: usize) -> Option<usize> {
    if text.as_bytes().get(..units).is_some_and(<[u8]>::is_ascii) {
        return Some(units);
    }
    let mut counted = 0;
    for (at, ch) in text.char_indices() {
        if counted == units {
            return Some(at);
        }
        counted += ch.len_utf16();
        if counted > units {
            return None;
        }
    }
    (counted == units).then_some(text.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cut<'a>(text: &'a str, lengths: &'a [u32]) -> Option<Vec<&'a str>> {
        Keys::new(text, lengths).ok().map(|keys| keys.iter().collect())
    }

    #[test]
    fn keys_are_cut_at_utf16_lengths() {
        assert_eq!(cut("abcde", &[2, 3]), Some(vec!["ab", "cde"]));
        // "é" is one UTF-16 unit and two UTF-8 bytes; "😀" two units and four bytes.
        assert_eq!(cut("é😀x", &[1, 2, 1]), Some(vec!["é", "😀", "x"]));
        assert_eq!(cut("ab", &[0, 2, 0]), Some(vec!["", "ab", ""]));
    }

    #[test]
    fn lengths_that_do_not_fit_are_refused() {
        assert_eq!(cut("abc", &[2]), None);
        assert_eq!(cut("abc", &[2, 2]), None);
        assert_eq!(cut("😀", &[1, 1]), None, "a cut inside a surrogate pair");
    }

    #[test]
    fn an_empty_key_is_reported_with_its_position() {
        let keys = Keys::new("ab", &[1, 0, 1]).unwrap();
        let Err(Failure::CoreAt(_, index)) = keys.check_each() else { panic!("the empty key is refused") };
        assert_eq!(index, 1);
    }
}
