//! `gen init`: an annotated starter spec for a platform and backplane.

use crate::cli::{BackplaneArg, InitArgs};
use crate::output::Output;
use crate::profile::Profile;

/// `gen init`.
pub(super) fn command(args: &InitArgs, out: &mut Output) -> i32 {
    let profile = Profile::builtin(args.platform.into());
    let kafka = args.backplane == BackplaneArg::Kafka;
    out.stdout(&crate::render::starter(&profile, kafka));
    0
}
