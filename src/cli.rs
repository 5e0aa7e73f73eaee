//! The command line: clap definitions, nothing else.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// The Kubernetes version gen's typed validation is pinned to (k8s-openapi feature).
pub const KUBERNETES_VERSION: &str = "1.33";

fn long_version() -> &'static str {
    concat!(
        env!("CARGO_PKG_VERSION"),
        " (validates against Kubernetes 1.33 via k8s-openapi 0.29)"
    )
}

#[derive(Debug, Parser)]
#[command(
    name = "gen",
    version = long_version(),
    about = "Render validated MigratoryData bundles for AKS, EKS and OpenShift, and lint what overlays made of them",
    after_help = "Example:\n  gen render cluster.yaml | kubectl apply -f -",
    propagate_version = true
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
    /// Silence warnings.
    #[arg(short, long, global = true)]
    pub quiet: bool,
    /// Explain each default gen applied.
    #[arg(short, long, global = true)]
    pub verbose: bool,
    /// One line per message, no source excerpts (for logs).
    #[arg(long, global = true)]
    pub no_snippets: bool,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Render one or more specs into a Kubernetes bundle.
    #[command(
        after_help = "Examples:\n  gen render cluster.yaml | kubectl apply -f -\n  gen render cluster.yaml --out base/          # a kustomize base\n  gen render cluster.yaml --out base/ --check  # exit 1 with a diff if base/ drifted\n  gen render                                   # the embedded example"
    )]
    Render(RenderArgs),
    /// Show what a spec's bundle will create: a table of objects, or a diagram of their references.
    #[command(
        after_help = "Examples:\n  gen describe cluster.yaml                     # KIND, NAME, DETAILS of every object\n  gen describe cluster.yaml --diagram mermaid   # for a ```mermaid block in a pull request\n  gen describe cluster.yaml --diagram dot | dot -Tpng -o bundle.png\n  gen describe                                  # the embedded example"
    )]
    Describe(DescribeArgs),
    /// Lint Kubernetes manifests against Kubernetes' API and MigratoryData's rules.
    #[command(
        after_help = "Examples:\n  kubectl kustomize overlays/prod | gen lint -\n  gen lint clusters/                      # each kustomization directory is one set\n  gen lint --format github bundle.yaml    # annotations on a pull request\n\nRules and how to silence one on one object: see the README (`lint.gen.migratorydata.io/<rule>: <reason>`)."
    )]
    Lint(LintArgs),
    /// Plan a change: what applying NEW over OLD will do (restarts, scaling, recreations, orphans).
    #[command(
        after_help = "Each side is a spec, a directory `gen render --out` wrote, a kustomization directory, or a manifest file (`-` for stdin).\n\nExamples:\n  gen diff old.yaml new.yaml                   # two specs\n  gen diff base/ cluster.yaml                  # the committed base against the edited spec\n  gen diff --format markdown old.yaml new.yaml # for a pull-request comment\n  gen diff --exit-code live.yaml new.yaml      # exit 3 when anything changes"
    )]
    Diff(DiffArgs),
    /// Print the JSON Schema of the cluster spec.
    #[command(after_help = "Example:\n  gen schema > gen-spec.schema.json")]
    Schema,
    /// Print an annotated starter spec that renders as it is.
    #[command(after_help = "Example:\n  gen init --platform eks --backplane kafka > cluster.yaml")]
    Init(InitArgs),
    /// Print a shell completion script.
    #[command(after_help = "Example:\n  gen completions bash > /etc/bash_completion.d/gen")]
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff).
    #[command(after_help = "Example:\n  gen man > /usr/local/share/man/man1/gen.1")]
    Man,
}

#[derive(Debug, Args)]
pub struct RenderArgs {
    /// Spec files (`-` for stdin). None: the embedded example.
    pub specs: Vec<String>,
    /// Target platform; overrides the spec's `platform`.
    #[arg(long, value_enum)]
    pub platform: Option<PlatformArg>,
    /// Use this profile file instead of the built-in one for the platform.
    #[arg(long, value_name = "FILE")]
    pub profile: Option<PathBuf>,
    /// Leave the Namespace object out (e.g. when it is managed elsewhere).
    #[arg(long)]
    pub no_namespace: bool,
    /// Write a kustomize base (one file per object and a kustomization.yaml) into DIR.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// With --out: write nothing; exit 1 with a diff when DIR differs from what gen would write.
    #[arg(long, requires = "out")]
    pub check: bool,
    /// Let `jaas.file` point outside the spec's directory.
    #[arg(long)]
    pub allow_outside_files: bool,
    /// Largest input accepted, in bytes.
    #[arg(long, value_name = "BYTES", default_value_t = crate::source::DEFAULT_MAX_BYTES)]
    pub max_input_bytes: u64,
}

#[derive(Debug, Args)]
pub struct LintArgs {
    /// Files, directories (a directory holding kustomization.yaml is one set), or `-` for stdin.
    #[arg(required = true)]
    pub paths: Vec<String>,
    /// How findings are printed.
    #[arg(long, value_enum, default_value = "text")]
    pub format: FormatArg,
    /// Check OpenShift's rules (no fixed uid/gid/fsGroup) even without a Route in the set.
    #[arg(long, value_enum)]
    pub platform: Option<PlatformArg>,
    /// Largest input accepted, in bytes.
    #[arg(long, value_name = "BYTES", default_value_t = crate::source::DEFAULT_MAX_BYTES)]
    pub max_input_bytes: u64,
}

#[derive(Debug, Args)]
pub struct DiffArgs {
    /// What runs now: a spec, an `--out` directory, a kustomization directory or manifests (`-`: stdin).
    pub old: String,
    /// What would be applied, in any of the same forms.
    pub new: String,
    /// How the plan is printed.
    #[arg(long, value_enum, default_value = "text")]
    pub format: DiffFormatArg,
    /// Exit 3 when anything changes (0 when nothing does).
    #[arg(long)]
    pub exit_code: bool,
    /// Target platform for spec sides; overrides the spec's `platform`.
    #[arg(long, value_enum)]
    pub platform: Option<PlatformArg>,
    /// Use this profile file for spec sides instead of the built-in one.
    #[arg(long, value_name = "FILE")]
    pub profile: Option<PathBuf>,
    /// Leave the Namespace object out of spec sides.
    #[arg(long)]
    pub no_namespace: bool,
    /// Let a spec's `jaas.file` point outside its directory.
    #[arg(long)]
    pub allow_outside_files: bool,
    /// The command that builds a kustomization directory (the directory is appended).
    #[arg(long, value_name = "COMMAND", default_value = crate::kustomize::DEFAULT_COMMAND)]
    pub kustomize_command: String,
    /// Seconds a kustomize build may take.
    #[arg(long, value_name = "SECS", default_value_t = crate::kustomize::DEFAULT_TIMEOUT_SECS)]
    pub kustomize_timeout: u64,
    /// Largest input accepted, in bytes.
    #[arg(long, value_name = "BYTES", default_value_t = crate::source::DEFAULT_MAX_BYTES)]
    pub max_input_bytes: u64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum DiffFormatArg {
    Text,
    Json,
    Markdown,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum FormatArg {
    Text,
    Json,
    Github,
}

#[derive(Debug, Args)]
pub struct DescribeArgs {
    /// Spec file (`-` for stdin). None: the embedded example.
    pub spec: Option<String>,
    /// Target platform; overrides the spec's `platform`.
    #[arg(long, value_enum)]
    pub platform: Option<PlatformArg>,
    /// Print only a diagram of how the objects refer to each other, in this notation.
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub diagram: Option<DiagramArg>,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum DiagramArg {
    Mermaid,
    Dot,
}

impl From<DiagramArg> for crate::describe::Diagram {
    fn from(d: DiagramArg) -> Self {
        match d {
            DiagramArg::Mermaid => crate::describe::Diagram::Mermaid,
            DiagramArg::Dot => crate::describe::Diagram::Dot,
        }
    }
}

#[derive(Debug, Args)]
pub struct InitArgs {
    #[arg(long, value_enum, default_value = "aks")]
    pub platform: PlatformArg,
    #[arg(long, value_enum, default_value = "native")]
    pub backplane: BackplaneArg,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum PlatformArg {
    Aks,
    Eks,
    Openshift,
}

impl From<PlatformArg> for crate::spec::Platform {
    fn from(p: PlatformArg) -> Self {
        match p {
            PlatformArg::Aks => crate::spec::Platform::Aks,
            PlatformArg::Eks => crate::spec::Platform::Eks,
            PlatformArg::Openshift => crate::spec::Platform::Openshift,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum BackplaneArg {
    Native,
    Kafka,
}
