//! Field types that never fail a whole line because one field has the wrong
//! JSON type.
//!
//! Claude Code's format drifts between versions and other tools rewrite the
//! files; a `"isSidechain": "false"` somewhere must not cost us the usage on
//! the same line. Each wrapper reads any JSON value, keeps it when it has the
//! expected type, and otherwise records that it was absent or invalid. Nested
//! objects and arrays of the wrong type are skipped without allocating.

use serde::Deserialize;
use serde::de::{self, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

/// Any JSON value, with strings borrowed when possible and compound values
/// consumed but not kept.
enum Scalar<'a> {
    Null,
    Bool(bool),
    Unsigned(u64),
    Signed(i64),
    Float(f64),
    Str(Cow<'a, str>),
    Compound,
}

struct ScalarVisitor;

impl<'de> Visitor<'de> for ScalarVisitor {
    type Value = Scalar<'de>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok(Scalar::Null)
    }
    fn visit_none<E>(self) -> Result<Self::Value, E> {
        Ok(Scalar::Null)
    }
    fn visit_bool<E>(self, v: bool) -> Result<Self::Value, E> {
        Ok(Scalar::Bool(v))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Self::Value, E> {
        Ok(Scalar::Unsigned(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Self::Value, E> {
        Ok(Scalar::Signed(v))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Self::Value, E> {
        Ok(Scalar::Float(v))
    }
    fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Scalar::Str(Cow::Borrowed(v)))
    }
    fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Scalar::Str(Cow::Owned(v.to_owned())))
    }
    fn visit_string<E>(self, v: String) -> Result<Self::Value, E> {
        Ok(Scalar::Str(Cow::Owned(v)))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(Scalar::Compound)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Scalar::Compound)
    }
}

impl<'de> Deserialize<'de> for Scalar<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(ScalarVisitor)
    }
}

/// A string field; any other type reads as absent.
#[derive(Default, Debug)]
pub struct Str<'a>(pub Option<Cow<'a, str>>);

impl<'a> Str<'a> {
    pub fn as_deref(&self) -> Option<&str> {
        self.0.as_deref()
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Str<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(match Scalar::deserialize(d)? {
            Scalar::Str(s) => Str(Some(s)),
            _ => Str(None),
        })
    }
}

/// A boolean field; any other type reads as absent.
#[derive(Default, Debug, Clone, Copy)]
pub struct Bool(pub Option<bool>);

impl<'de> Deserialize<'de> for Bool {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(match Scalar::deserialize(d)? {
            Scalar::Bool(b) => Bool(Some(b)),
            _ => Bool(None),
        })
    }
}

/// A number field; any other type reads as absent.
#[derive(Default, Debug, Clone, Copy)]
pub struct Float(pub Option<f64>);

impl<'de> Deserialize<'de> for Float {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(match Scalar::deserialize(d)? {
            Scalar::Unsigned(v) => Float(Some(v as f64)),
            Scalar::Signed(v) => Float(Some(v as f64)),
            Scalar::Float(v) if v.is_finite() => Float(Some(v)),
            _ => Float(None),
        })
    }
}

/// A token count. Unlike the other wrappers it tells "absent" (counts as 0,
/// as the spec allows) from "present but not a count" (the line is skipped:
/// guessing a number would misreport usage).
///
/// A count is a JSON integer from 0 to 2^53 − 1 (spec §3, v2): `null`,
/// negatives, `5.0`, `1e3`, strings and anything past 2^53 are invalid.
/// 2^53 is where JSON numbers stop being exact in most writers, and it keeps
/// every sum of real data far from wrapping a `u64`.
#[derive(Default, Debug, Clone, Copy, PartialEq, Eq)]
pub enum Count {
    #[default]
    Absent,
    Value(u64),
    Invalid,
}

/// The first integer that is not a valid token count.
pub const COUNT_LIMIT: u64 = 1 << 53;

impl Count {
    /// `Ok(n)` for a usable count (absent = 0), `Err(())` for an invalid one.
    pub fn get(self) -> Result<u64, ()> {
        match self {
            Count::Absent => Ok(0),
            Count::Value(v) => Ok(v),
            Count::Invalid => Err(()),
        }
    }
}

impl<'de> Deserialize<'de> for Count {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(match Scalar::deserialize(d)? {
            Scalar::Unsigned(v) if v < COUNT_LIMIT => Count::Value(v),
            Scalar::Signed(v) if v >= 0 && (v as u64) < COUNT_LIMIT => Count::Value(v as u64),
            _ => Count::Invalid,
        })
    }
}

/// An array field whose elements are objects parsed as `T`; elements of
/// another type are dropped, and a field of another type reads as absent.
#[derive(Debug)]
pub struct List<T>(pub Vec<T>);

impl<T> Default for List<T> {
    fn default() -> Self {
        List(Vec::new())
    }
}

struct ListVisitor<T>(PhantomData<T>);

impl<'de, T: Deserialize<'de>> Visitor<'de> for ListVisitor<T> {
    type Value = List<T>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element::<Object<T>>()? {
            items.extend(item.0);
        }
        Ok(List(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(List(Vec::new()))
    }
    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok(List(Vec::new()))
    }
    fn visit_bool<E>(self, _: bool) -> Result<Self::Value, E> {
        Ok(List(Vec::new()))
    }
    fn visit_u64<E>(self, _: u64) -> Result<Self::Value, E> {
        Ok(List(Vec::new()))
    }
    fn visit_i64<E>(self, _: i64) -> Result<Self::Value, E> {
        Ok(List(Vec::new()))
    }
    fn visit_f64<E>(self, _: f64) -> Result<Self::Value, E> {
        Ok(List(Vec::new()))
    }
    fn visit_str<E>(self, _: &str) -> Result<Self::Value, E> {
        Ok(List(Vec::new()))
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for List<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(ListVisitor(PhantomData))
    }
}

/// An object field parsed as `T`; any other type reads as absent.
#[derive(Debug)]
pub struct Object<T>(pub Option<T>);

impl<T> Default for Object<T> {
    fn default() -> Self {
        Object(None)
    }
}

struct ObjectVisitor<T>(PhantomData<T>);

impl<'de, T: Deserialize<'de>> Visitor<'de> for ObjectVisitor<T> {
    type Value = Object<T>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        T::deserialize(de::value::MapAccessDeserializer::new(map)).map(|t| Object(Some(t)))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Object(None))
    }
    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok(Object(None))
    }
    fn visit_bool<E>(self, _: bool) -> Result<Self::Value, E> {
        Ok(Object(None))
    }
    fn visit_u64<E>(self, _: u64) -> Result<Self::Value, E> {
        Ok(Object(None))
    }
    fn visit_i64<E>(self, _: i64) -> Result<Self::Value, E> {
        Ok(Object(None))
    }
    fn visit_f64<E>(self, _: f64) -> Result<Self::Value, E> {
        Ok(Object(None))
    }
    fn visit_str<E>(self, _: &str) -> Result<Self::Value, E> {
        Ok(Object(None))
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Object<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(ObjectVisitor(PhantomData))
    }
}

/// Parse a standalone JSON value leniently (used by tests of the wrappers).
#[cfg(test)]
fn from<T: serde::de::DeserializeOwned>(s: &str) -> T {
    serde_json::from_str(s).expect("valid JSON")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrong_types_read_as_absent() {
        assert_eq!(from::<Bool>("\"true\"").0, None);
        assert_eq!(from::<Bool>("true").0, Some(true));
        assert_eq!(from::<Float>("{\"a\":[1,2]}").0, None);
        assert_eq!(from::<Float>("0.25").0, Some(0.25));
        assert!(
            from::<Object<std::collections::HashMap<String, u8>>>("[1,{}]")
                .0
                .is_none()
        );
    }

    #[test]
    fn counts_tell_absent_from_invalid() {
        assert_eq!(from::<Count>("12"), Count::Value(12));
        assert_eq!(
            from::<Count>("9007199254740991"),
            Count::Value((1 << 53) - 1)
        );
        assert_eq!(from::<Count>("9007199254740992"), Count::Invalid);
        assert_eq!(from::<Count>("null"), Count::Invalid);
        assert_eq!(from::<Count>("12.0"), Count::Invalid);
        assert_eq!(from::<Count>("1e3"), Count::Invalid);
        assert_eq!(from::<Count>("1e19"), Count::Invalid);
        assert_eq!(from::<Count>("-1"), Count::Invalid);
        assert_eq!(from::<Count>("1.5"), Count::Invalid);
        assert_eq!(from::<Count>("\"12\""), Count::Invalid);
        assert_eq!(from::<Count>("[12]"), Count::Invalid);
    }

    #[test]
    fn lists_keep_their_objects_and_drop_the_rest() {
        let l: List<std::collections::HashMap<String, u8>> = from(r#"[{"a":1},2,"x",{"b":3}]"#);
        assert_eq!(l.0.len(), 2);
        let l: List<std::collections::HashMap<String, u8>> = from(r#"{"a":1}"#);
        assert!(l.0.is_empty());
    }

    #[test]
    fn strings_borrow_when_unescaped() {
        let json = "\"plain\"";
        let s: Str = serde_json::from_str(json).unwrap();
        assert!(matches!(s.0, Some(Cow::Borrowed("plain"))));
        let s: Str = serde_json::from_str("\"esc\\u0061ped\"").unwrap();
        assert_eq!(s.as_deref(), Some("escaped"));
    }
}
