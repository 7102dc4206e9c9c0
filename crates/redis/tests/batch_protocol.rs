//! The batch variants' own arguments (see `leasehold_scripts::SCRIPTS_MANY`): counts per
//! request, or one pair of counts for a batch whose requests all have the same; both forms run
//! the same requests alike, and arguments that do not match their counts run nothing.

use leasehold_redis::testing::RedisServer;
use redis::Value;

fn eval(server: &RedisServer, keys: &[&str], args: &[&str]) -> redis::RedisResult<Value> {
    let source = leasehold_scripts::LOCK_ACQUIRE_MANY.source;
    redis::cmd("EVAL").arg(source).arg(keys.len()).arg(keys).arg(args).query(&mut server.raw())
}

fn granted(fence: i64, expires_at: i64) -> Vec<Value> {
    vec![
        Value::Int(4),
        Value::BulkString(b"granted".to_vec()),
        Value::Int(fence),
        Value::Int(expires_at),
        Value::Int(0),
    ]
}

#[test]
fn both_forms_of_a_batch_run_its_requests_alike_and_mismatched_counts_run_nothing() {
    let server = RedisServer::start();
    let same = ["1000", "2", "same", "1", "3", "a", "o", "100", "b", "o", "200"];
    let each = ["1000", "2", "1", "3", "c", "o", "100", "1", "3", "d", "o", "200"];
    let expected: Vec<Value> = [granted(1_000_000, 1_100), granted(1_000_000, 1_200)].concat();
    assert_eq!(eval(&server, &["p:lock:{a}", "p:lock:{b}"], &same).unwrap(), Value::Array(expected.clone()));
    assert_eq!(eval(&server, &["p:lock:{c}", "p:lock:{d}"], &each).unwrap(), Value::Array(expected));

    let short_same = &same[..same.len() - 1];
    let short_each = &each[..each.len() - 1];
    for (keys, args) in
        [(["p:lock:{e}", "p:lock:{f}"], short_same), (["p:lock:{g}", "p:lock:{h}"], short_each)]
    {
        let error = eval(&server, &keys, args).unwrap_err();
        assert!(error.to_string().contains("the batch does not match its counts"), "{error}");
    }
    let keys: Vec<String> = redis::cmd("KEYS").arg("*").query(&mut server.raw()).unwrap();
    assert_eq!(keys.len(), 4, "only the well-formed batches wrote: {keys:?}");
}
