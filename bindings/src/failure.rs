//! Why a call from JS was refused, in the wire form the JS layer turns into error classes.
//!
//! A core [`Error`] keeps exactly its serialized form (`{"code": "too_long", "field": "key",
//! "len": 600, "max": 512}`), the form the vectors use. The bindings add their own codes for
//! what the core never sees: numbers that are not exact integers, and requests that do not
//! parse.

use leasehold_core::Error;
use serde::Serialize;
use serde_json::Value;

/// The largest integer accepted where the bindings check a range themselves: 2^53 − 1.
const MAX_EXACT: u64 = (1 << 53) - 1;

/// A refused call.
#[derive(Debug, Clone, PartialEq)]
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
    /// A number was negative or past 2^53.
    OutOfRange {
        /// Which argument, as the core names it.
        field: &'static str,
        /// The number given.
        value: f64,
    },
    /// A wire request (or the arguments of a raw call) did not have the documented shape.
    InvalidRequest {
        /// What was wrong, from the parser.
        message: String,
    },
}

/// The wire form of the bindings' own codes.
#[derive(Serialize)]
#[serde(tag = "code", rename_all = "snake_case")]
enum Own<'a> {
    NotAnInteger { field: &'a str },
    OutOfRange { field: &'a str, value: f64, min: u64, max: u64 },
    InvalidRequest { message: &'a str },
}

impl Failure {
    /// The failure as a JSON value: `{"code": ..., <fields>}`.
    pub fn to_value(&self) -> Value {
        let value = match self {
            Failure::Core(error) => serde_json::to_value(error),
            Failure::CoreAt(error, index) => {
                let mut value = serde_json::to_value(error);
                if let Ok(Value::Object(fields)) = &mut value {
                    fields.insert("index".into(), Value::from(*index));
                }
                value
            }
            Failure::NotAnInteger { field } => serde_json::to_value(Own::NotAnInteger { field }),
            Failure::OutOfRange { field, value } => {
                serde_json::to_value(Own::OutOfRange { field, value: *value, min: 0, max: MAX_EXACT })
            }
            Failure::InvalidRequest { message } => serde_json::to_value(Own::InvalidRequest { message }),
        };
        // Serializing these plain structs cannot fail; say so rather than panic if it ever did.
        value.unwrap_or_else(
            |error| serde_json::json!({ "code": "invalid_request", "message": format!("{error}") }),
        )
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
    use serde_json::json;

    #[test]
    fn a_core_error_keeps_its_wire_form() {
        let error = Error::TooLong { field: Field::Key, len: 600, max: 512 };
        assert_eq!(
            Failure::Core(error).to_value(),
            json!({"code": "too_long", "field": "key", "len": 600, "max": 512})
        );
    }

    #[test]
    fn a_batch_error_names_the_position_of_the_key() {
        let error = Error::Empty { field: Field::Key };
        assert_eq!(
            Failure::CoreAt(error, 3).to_value(),
            json!({"code": "empty", "field": "key", "index": 3})
        );
    }

    #[test]
    fn binding_codes_name_the_field_and_the_exact_range() {
        assert_eq!(
            Failure::OutOfRange { field: "ttl", value: -1.0 }.to_value(),
            json!({"code": "out_of_range", "field": "ttl", "value": -1.0, "min": 0, "max": 9007199254740991u64})
        );
        assert_eq!(
            Failure::NotAnInteger { field: "now" }.to_value(),
            json!({"code": "not_an_integer", "field": "now"})
        );
    }
}
