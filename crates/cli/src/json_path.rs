//! Turning a `serde_json` error into "which field, where": the JSON path of the value at the
//! error's position (`agents[2].count`), found by scanning the text up to that position.

/// The error's message without serde_json's ` at line L column C` suffix.
pub fn message(error: &serde_json::Error) -> String {
    let text = error.to_string();
    let suffix = format!(" at line {} column {}", error.line(), error.column());
    text.strip_suffix(&suffix).unwrap_or(&text).to_owned()
}

enum Frame {
    Object { key: Option<String>, expecting_key: bool },
    Array { index: usize },
}

/// The path of the innermost value open at `line`/`column` (1-based, bytes) of `text`; empty at
/// the top level. For a missing field the error sits on the object's closing brace: the path is
/// then the object's own.
pub fn path_at(text: &str, line: usize, column: usize, missing_field: bool) -> String {
    let offset = offset_of(text, line, column);
    let mut bytes = &text.as_bytes()[..offset.min(text.len())];
    if missing_field && bytes.last() == Some(&b'}') {
        // The error sits just past the closing brace of the object missing the field.
        bytes = &bytes[..bytes.len() - 1];
    }
    let mut stack: Vec<Frame> = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'{' => stack.push(Frame::Object { key: None, expecting_key: true }),
            b'[' => stack.push(Frame::Array { index: 0 }),
            b'}' | b']' => {
                stack.pop();
            }
            b',' => match stack.last_mut() {
                Some(Frame::Array { index }) => *index += 1,
                Some(Frame::Object { expecting_key, .. }) => *expecting_key = true,
                None => {}
            },
            b'"' => {
                let start = i + 1;
                let mut j = start;
                while j < bytes.len() && bytes[j] != b'"' {
                    j += if bytes[j] == b'\\' { 2 } else { 1 };
                }
                if let Some(Frame::Object { key, expecting_key }) = stack.last_mut() {
                    if *expecting_key {
                        *key = Some(String::from_utf8_lossy(&bytes[start..j.min(bytes.len())]).into_owned());
                        *expecting_key = false;
                    }
                }
                i = j;
            }
            _ => {}
        }
        i += 1;
    }
    if missing_field {
        if let Some(Frame::Object { key, .. }) = stack.last_mut() {
            *key = None;
        }
    }
    let mut path = String::new();
    for frame in &stack {
        match frame {
            Frame::Object { key: Some(key), .. } => {
                if !path.is_empty() {
                    path.push('.');
                }
                path.push_str(key);
            }
            Frame::Object { key: None, .. } => {}
            Frame::Array { index } => path.push_str(&format!("[{index}]")),
        }
    }
    path
}

fn offset_of(text: &str, line: usize, column: usize) -> usize {
    let mut offset = 0;
    for (number, content) in text.split_inclusive('\n').enumerate() {
        if number + 1 == line {
            return offset + column.min(content.len());
        }
        offset += content.len();
    }
    text.len()
}

/// `error` on `text` as `path: message at line L column C` (the path left out at the top level).
pub fn describe(text: &str, error: &serde_json::Error) -> String {
    let message = message(error);
    let missing = message.starts_with("missing field");
    let path = path_at(text, error.line(), error.column(), missing);
    let at = format!("at line {} column {}", error.line(), error.column());
    if path.is_empty() {
        format!("{message} {at}")
    } else {
        format!("{path}: {message} {at}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(text: &str) -> String {
        let error = serde_json::from_str::<leasehold_sim::Scenario>(text).unwrap_err();
        describe(text, &error)
    }

    #[test]
    fn a_wrong_type_names_the_field_with_its_array_index() {
        let text = "{\"name\": \"x\", \"about\": \"y\", \"seed\": 1, \"horizon\": 10,\n \"agents\": [\n  {\"group\": \"g\", \"count\": 2, \"arrival\": {\"every\": 5}, \"behaviour\": {\"limit_client\": {}}},\n  {\"group\": \"g\", \"count\": \"many\"}\n ]\n}";
        let described = check(text);
        assert!(
            described.starts_with("agents[0].behaviour.limit_client: missing field `key_prefix`"),
            "{described}"
        );
        let text = text.replace(
            "\"limit_client\": {}",
            "\"limit_client\": {\"key_prefix\": \"k\", \"algorithm\": {\"cooldown\": {\"interval\": 1}}}",
        );
        let described = check(&text);
        assert!(described.starts_with("agents[1].count: invalid type: string \"many\""), "{described}");
        assert!(described.ends_with("at line 4 column 32"), "{described}");
    }

    #[test]
    fn a_missing_field_names_the_object_it_is_missing_from() {
        let text = "{\"name\": \"x\", \"about\": \"y\", \"seed\": 1, \"horizon\": 10, \"agents\": [{\"group\": \"g\"}]}";
        assert!(check(text).starts_with("agents[0]: missing field `count`"), "{}", check(text));
    }

    #[test]
    fn a_syntax_error_has_a_position() {
        let described = check("{\"name\": \"x\",\n \"seed\": 1,,}");
        assert!(described.contains("at line 2 column"), "{described}");
    }
}
