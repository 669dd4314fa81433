//! The one way an aggregate's fields leave the domain and come back: a store writes what
//! `to_stored` gives and rebuilds the aggregate with `from_stored`. How the fields are
//! written (names, defaults, formats) is the store's business, not the domain's.

/// Defines an aggregate whose fields are private, and its `Stored*` twin with the same
/// fields in the open, with the conversions both ways. The fields are listed once.
macro_rules! aggregate {
    (
        $(#[$meta:meta])*
        pub struct $name:ident / $stored:ident {
            $($(#[$field_meta:meta])* $field:ident: $ty:ty,)*
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq)]
        pub struct $name {
            $($(#[$field_meta])* $field: $ty,)*
        }

        #[doc = concat!(
            "Every field of [`", stringify!($name), "`], for a store to write and to give back ",
            "to [`", stringify!($name), "::from_stored`]; changes go through the aggregate's methods."
        )]
        #[derive(Debug, Clone, PartialEq, Eq)]
        pub struct $stored {
            $(pub $field: $ty,)*
        }

        impl $name {
            pub fn to_stored(&self) -> $stored {
                $stored { $($field: self.$field.clone(),)* }
            }

            /// The aggregate as a store kept it.
            pub fn from_stored(stored: $stored) -> Self {
                let $stored { $($field,)* } = stored;
                Self { $($field,)* }
            }
        }
    };
}

pub(crate) use aggregate;
