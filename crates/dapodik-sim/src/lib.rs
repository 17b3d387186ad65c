//! A simulated Dapodik for the demo, the tests, the CLI and the benchmarks.
//!
//! - [`school`]: [`SimSchool::generate`] builds a realistic SMK deterministically from a seed
//!   (Indonesian names, structured NIKs/NISNs/NIPs, classes with members and subjects, staff, user
//!   accounts, a few data-quality warts); [`SimSchool::next_semester`] changes it like a semester does.
//! - [`body`]: the raw bytes the Web Service sends for each function ([`SimSchool::body`]), with the
//!   real server's quirks (stale fields between rows, upper-case UUIDs, former students in classes,
//!   empty sets reported as errors).
//! - [`server`]: the same over HTTP on 127.0.0.1 ([`SimServer::start`]), with the server's checks in
//!   order and [`Fault`]s to switch on and off.
//! - [`fault`]: the failure modes seen in the field, parseable from CLI strings.
//!
//! It depends on nothing of the product: like the real server, it only produces bodies.

pub mod body;
pub mod fault;
pub mod names;
pub mod prng;
pub mod reference;
pub mod school;
pub mod server;
pub mod wilayah;

pub use body::SimFunction;
pub use fault::{Fault, UnknownFault};
pub use school::{SemesterChanges, SimSchool, SimSchoolConfig, DEFAULT_NPSN};
pub use server::{SimConfig, SimError, SimHandle, SimServer, DEFAULT_KEY};
