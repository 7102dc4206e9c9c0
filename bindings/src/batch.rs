//! The keys of a batch: one string crossing instead of one per key.

use alloc::vec::Vec;

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

/// Where the JS layer writes a batch of keys in place, and where their decisions go: grown on
/// request ([`crate::RawEngine::batch_reserve`]), kept between batches so a batch allocates
/// nothing once the buffers are large enough.
#[derive(Default)]
pub struct Buffers {
    /// The keys, UTF-8, one after the other.
    pub text: Vec<u8>,
    /// Each key's length in bytes.
    pub lengths: Vec<u32>,
    /// Five numbers per key: `[allowed (1 or 0), limit, remaining, reset_after, retry_after]`.
    pub out: Vec<f64>,
}

impl Buffers {
    /// Room for `count` keys of `bytes` bytes in all. Buffers only grow.
    pub fn reserve(&mut self, bytes: usize, count: usize) {
        grow(&mut self.text, bytes, 0);
        grow(&mut self.lengths, count, 0);
        grow(&mut self.out, count.saturating_mul(5), 0.0);
    }
}

/// The first `count` keys written in place in `text`, cut at `lengths` (bytes); refused unless
/// they are UTF-8 and the lengths fit the text and fall between characters.
pub fn in_place<'a>(text: &'a [u8], lengths: &'a [u32], count: usize) -> Result<InPlace<'a>, Failure> {
    let refused = || Failure::InvalidRequest { message: "the keys in place do not fit their lengths" };
    let lengths = lengths.get(..count).ok_or_else(refused)?;
    let total = lengths.iter().try_fold(0usize, |sum, &len| sum.checked_add(len as usize));
    let bytes = total.and_then(|total| text.get(..total)).ok_or_else(refused)?;
    let text = core::str::from_utf8(bytes).map_err(|_| refused())?;
    let keys = InPlace { text, lengths };
    if keys.iter().count() != count {
        return Err(refused());
    }
    Ok(keys)
}

/// Keys written in place, checked to cut their text exactly at character boundaries.
pub struct InPlace<'a> {
    text: &'a str,
    lengths: &'a [u32],
}

impl<'a> InPlace<'a> {
    /// The keys, one after the other.
    pub fn text(&self) -> &'a str {
        self.text
    }

    /// Each key's length in bytes.
    pub fn lengths(&self) -> &'a [u32] {
        self.lengths
    }

    /// The keys, in order; stops early at a cut that does not fall between characters.
    pub fn iter(&self) -> impl Iterator<Item = &'a str> + '_ {
        let mut rest = self.text;
        self.lengths.iter().map_while(move |&len| {
            let (key, tail) = rest.split_at_checked(len as usize)?;
            rest = tail;
            Some(key)
        })
    }

    /// Checks every key as the core would, reporting the first bad one with its position.
    pub fn check_each(&self) -> Result<(), Failure> {
        // A plain loop: iterator adapters stay calls in a size-optimized build.
        let (mut rest, mut index) = (self.text, 0);
        for &len in self.lengths {
            let Some((key, tail)) = rest.split_at_checked(len as usize) else { break };
            check_key(key).map_err(|error| Failure::CoreAt(error, index))?;
            rest = tail;
            index += 1;
        }
        Ok(())
    }
}

fn grow<T: Copy>(buffer: &mut Vec<T>, len: usize, fill: T) {
    if buffer.len() < len {
        buffer.resize(len, fill);
    }
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
    fn an_empty_key_in_place_is_reported_with_its_position() {
        let keys = in_place(b"ab", &[1, 0, 1], 3).unwrap();
        let Err(Failure::CoreAt(_, index)) = keys.check_each() else { panic!("the empty key is refused") };
        assert_eq!(index, 1);
    }

    #[test]
    fn keys_in_place_are_cut_at_byte_lengths() {
        fn cut(lengths: &'static [u32], count: usize) -> Option<Vec<&'static str>> {
            let text = "ab\u{e9}c".as_bytes();
            in_place(text, lengths, count).ok().map(|keys| keys.iter().collect())
        }
        assert_eq!(
            cut(&[2, 3, 9], 2),
            Some(vec!["ab", "\u{e9}c"]),
            "only the first `count` lengths are read"
        );
        assert_eq!(cut(&[3, 2], 2), None, "a cut inside a character");
        assert_eq!(cut(&[2, 9], 2), None, "past the text");
        assert_eq!(cut(&[2], 2), None, "fewer lengths than keys");
        assert_eq!(in_place(&[0xff], &[1], 1).err().map(|_| ()), Some(()), "not UTF-8");
    }
}
