//! Why a call from JS was refused, in the wire form the JS layer turns into error classes.
//!
//! A core [`Error`] keeps exactly its serialized form (`{"code": "too_long", "field": "key",
//! "len": 600, "max": 512}`), the form the vectors use. The bindings add their own codes for
//! what the core never sees: numbers that are not exact integers, and requests that do not
//! parse.

use alloc::string::String;

use leasehold_core::Error;

/// The largest integer accepted where the bindings check a range themselves: 2^53 − 1.
const MAX_EXACT: u64 = (1 << 53) - 1;

/// A refused call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// The core refused the arguments.
    Core(Error),
    /// The core refused the key at `index` of a batch.
    CoreAt(Error, usize),
    /// A number was NaN, infinite or fractional.
    NotAnInteger {
        /// Which argument, as the core names it.
        field: &'static str,
    },
    /// A number was negative or past 2^53 (the JS layer, which refuses it first, reports the
    /// value; floats are not formatted here, which keeps float formatting out of the wasm).
    OutOfRange {
        /// Which argument, as the core names it.
        field: &'static str,
    },
    /// A wire request (or the arguments of a raw call) did not have the documented shape.
    InvalidRequest {
        /// What was wrong. A fixed text: formatting messages at run time would cost wasm size.
        message: &'static str,
    },
}

impl Failure {
    /// The failure as JSON text: `{"code": ..., <fields>}`.
    pub fn to_json(&self) -> String {
        let core = |error: &Error| {
            // A core error is a plain enum with string keys: serializing it cannot fail.
            serde_json::to_string(error).unwrap_or_else(|_| String::from("{\"code\":\"invalid_request\"}"))
        };
        match self {
            Failure::Core(error) => core(error),
            Failure::CoreAt(error, index) => {
                let json = core(error);
                let fields = json.strip_suffix('}').unwrap_or(&json);
                alloc::format!("{fields},\"index\":{index}}}")
            }
            Failure::NotAnInteger { field } => {
                alloc::format!("{{\"code\":\"not_an_integer\",\"field\":\"{field}\"}}")
            }
            Failure::OutOfRange { field } => {
                alloc::format!(
                    "{{\"code\":\"out_of_range\",\"field\":\"{field}\",\"min\":0,\"max\":{MAX_EXACT}}}"
                )
            }
            Failure::InvalidRequest { message } => {
                alloc::format!("{{\"code\":\"invalid_request\",\"message\":\"{message}\"}}")
            }
        }
    }
}

impl From<Error> for Failure {
    fn from(error: Error) -> Failure {
        Failure::Core(error)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use leasehold_core::Field;

    #[test]
    fn a_core_error_keeps_its_wire_form() {
        let error = Error::TooLong { field: Field::Key, len: 600, max: 512 };
        assert_eq!(
            Failure::Core(error).to_json(),
            r#"{"code":"too_long","field":"key","len":600,"max":512}"#
        );
    }

    #[test]
    fn a_batch_error_names_the_position_of_the_key() {
        let error = Error::Empty { field: Field::Key };
        assert_eq!(Failure::CoreAt(error, 3).to_json(), r#"{"code":"empty","field":"key","index":3}"#);
    }

    #[test]
    fn binding_codes_name_the_field_and_the_exact_range() {
        assert_eq!(
            Failure::OutOfRange { field: "ttl" }.to_json(),
            r#"{"code":"out_of_range","field":"ttl","min":0,"max":9007199254740991}"#
        );
        assert_eq!(
            Failure::NotAnInteger { field: "now" }.to_json(),
            r#"{"code":"not_an_integer","field":"now"}"#
        );
        let refused = Failure::InvalidRequest { message: "no such algorithm" };
        assert_eq!(refused.to_json(), r#"{"code":"invalid_request","message":"no such algorithm"}"#);
    }
}
