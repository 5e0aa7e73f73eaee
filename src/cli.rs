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
        after_help = "Examples:\n  gen render cluster.yaml | kubectl apply -f -\n  gen render cluster.yaml --out base/          # a kustomize base\n  gen render cluster.yaml --out base/ --check  # exit 1 with a diff if base/ drifted\n  gen render --strict cluster.yaml             # CI: every warning is an error\n  gen render --example                         # the embedded example"
    )]
    Render(RenderArgs),
    /// Show what a spec's bundle will create: a table of objects, or a diagram of their references.
    #[command(
        after_help = "Examples:\n  gen describe cluster.yaml                     # KIND, NAME, DETAILS of every object\n  gen describe cluster.yaml --diagram mermaid   # for a ```mermaid block in a pull request\n  gen describe cluster.yaml --diagram dot | dot -Tpng -o bundle.png\n  gen describe --example                        # the embedded example"
    )]
    Describe(DescribeArgs),
    /// Lint Kubernetes manifests against Kubernetes' API and MigratoryData's rules.
    #[command(
        after_help = "Examples:\n  kubectl kustomize overlays/prod | gen lint -\n  gen lint overlays/prod/                 # built with kubectl kustomize: one set\n  gen lint -R clusters/                   # each kustomization directory met is a set\n  gen lint --strict --format github bundle.yaml   # CI: warnings fail too\n  gen lint --format sarif bundle.yaml > gen.sarif   # GitHub code scanning\n\nRules and how to silence one on one object: see the README (`lint.gen.migratorydata.io/<rule>: <reason>`)."
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
    /// Install gen as a kustomize exec plugin: the generator for `kind: MigratoryDataCluster`.
    #[command(
        after_help = "Installs into DIR, else $KUSTOMIZE_PLUGIN_HOME, else $XDG_CONFIG_HOME/kustomize/plugin, else ~/.config/kustomize/plugin.\n\nExample:\n  gen kustomize-plugin && kubectl kustomize --enable-alpha-plugins overlays/prod"
    )]
    KustomizePlugin {
        /// The plugin home to install into.
        dir: Option<PathBuf>,
    },
    /// What the installed kustomize plugin runs: render kustomize's copy of a spec.
    #[command(hide = true)]
    KustomizeExec {
        /// The temporary copy of the generator config kustomize passes.
        config: PathBuf,
    },
    /// KRM function: read a ResourceList (functionConfig: a spec) on stdin, print it with the bundle added.
    #[command(
        after_help = "For kpt and `kustomize build --enable-alpha-plugins --enable-exec`. Warnings and errors are in the ResourceList's `results`; exit 1 on an error.\n\nExample:\n  gen fn < resource-list.yaml"
    )]
    Fn {
        /// Largest input accepted, in bytes.
        #[arg(long, value_name = "BYTES", default_value_t = crate::source::DEFAULT_MAX_BYTES)]
        max_input_bytes: u64,
    },
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
    /// Spec files (`-` for stdin).
    #[arg(conflicts_with = "example")]
    pub specs: Vec<String>,
    /// Render the embedded example spec (a native AKS cluster) instead of a file.
    #[arg(long)]
    pub example: bool,
    /// Every warning is an error: exit 1 and print nothing (the CI setting).
    #[arg(long)]
    pub strict: bool,
    #[command(flatten)]
    pub resolve: ResolveArgs,
    /// Write a kustomize base (one file per object and a kustomization.yaml) into DIR.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// With --out: write nothing; exit 1 with a diff when DIR differs from what gen would write.
    #[arg(long, requires = "out")]
    pub check: bool,
    /// Refuse a spec whose namespace is not NS (e.g. an Argo CD Application's destination).
    #[arg(long, value_name = "NS")]
    pub expect_namespace: Option<String>,
    /// Let `jaas.file` point outside the spec's directory.
    #[arg(long)]
    pub allow_outside_files: bool,
    /// Largest input accepted, in bytes.
    #[arg(long, value_name = "BYTES", default_value_t = crate::source::DEFAULT_MAX_BYTES)]
    pub max_input_bytes: u64,
    #[command(flatten)]
    pub budget: BudgetArgs,
}

#[derive(Debug, Args)]
pub struct LintArgs {
    /// Files, directories, or `-` for stdin. Files and plain directories given together are
    /// one set; a directory holding a kustomization file is built and is a set of its own.
    #[arg(required = true)]
    pub paths: Vec<String>,
    /// Descend into subdirectories, building each kustomization directory met as a set of its own.
    #[arg(short = 'R', long)]
    pub recursive: bool,
    /// Warnings fail too (exit 1), for CI; `info` findings never do.
    #[arg(long)]
    pub strict: bool,
    /// Pod Security level to assume for a namespace whose Namespace object is not in the set.
    #[arg(long, value_enum, value_name = "LEVEL")]
    pub pss: Option<PssArg>,
    /// The command that builds a kustomization directory (the directory is appended).
    #[arg(long, value_name = "COMMAND", default_value = crate::kustomize::DEFAULT_COMMAND)]
    pub kustomize_command: String,
    /// Seconds a kustomize build may take.
    #[arg(
        long,
        value_name = "SECS",
        default_value_t = crate::kustomize::DEFAULT_TIMEOUT_SECS,
        value_parser = clap::value_parser!(u64).range(1..)
    )]
    pub kustomize_timeout: u64,
    /// How findings are printed.
    #[arg(long, value_enum, default_value = "text")]
    pub format: FormatArg,
    /// Check OpenShift's rules (no fixed uid/gid/fsGroup) even without a Route in the set.
    #[arg(long, value_enum)]
    pub platform: Option<PlatformArg>,
    /// Largest input accepted, in bytes.
    #[arg(long, value_name = "BYTES", default_value_t = crate::source::DEFAULT_MAX_BYTES)]
    pub max_input_bytes: u64,
    #[command(flatten)]
    pub budget: BudgetArgs,
}

/// The input budget of every YAML input (see README "Untrusted input and secrets").
#[derive(Clone, Copy, Debug, Args)]
#[command(next_help_heading = "Input budget (past a limit the input is refused)")]
pub struct BudgetArgs {
    /// Most bytes of text one YAML input may hold once its aliases are expanded.
    #[arg(long, value_name = "BYTES", default_value_t = crate::budget::DEFAULT.max_expanded_bytes)]
    pub max_expanded_bytes: u64,
    /// Most YAML nodes (scalars, lists, mappings) one input may hold once its aliases are expanded.
    #[arg(long, value_name = "N", default_value_t = crate::budget::DEFAULT.max_nodes)]
    pub max_nodes: u64,
    /// Most aliases (`*name`) one YAML input may use.
    #[arg(long, value_name = "N", default_value_t = crate::budget::DEFAULT.max_aliases)]
    pub max_aliases: u64,
    /// Deepest nesting of lists and mappings accepted.
    #[arg(long, value_name = "N", default_value_t = crate::budget::DEFAULT.max_depth)]
    pub max_depth: usize,
    /// Most documents one YAML input may hold.
    #[arg(long, value_name = "N", default_value_t = crate::budget::DEFAULT.max_documents)]
    pub max_documents: u64,
}

impl From<BudgetArgs> for crate::budget::Budget {
    fn from(a: BudgetArgs) -> Self {
        crate::budget::Budget {
            max_expanded_bytes: a.max_expanded_bytes,
            max_nodes: a.max_nodes,
            max_aliases: a.max_aliases,
            max_depth: a.max_depth,
            max_documents: a.max_documents,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum PssArg {
    Privileged,
    Baseline,
    Restricted,
}

impl From<PssArg> for crate::lint::PssLevel {
    fn from(p: PssArg) -> Self {
        match p {
            PssArg::Privileged => crate::lint::PssLevel::Privileged,
            PssArg::Baseline => crate::lint::PssLevel::Baseline,
            PssArg::Restricted => crate::lint::PssLevel::Restricted,
        }
    }
}

/// How a spec resolves into a bundle: the flags `gen render` and `gen diff` share (diff says
/// they apply to its spec sides).
#[derive(Debug, Args)]
pub struct ResolveArgs {
    /// Target platform; overrides the spec's `platform`.
    #[arg(long, value_enum)]
    pub platform: Option<PlatformArg>,
    /// Use this profile file instead of the built-in one for the platform.
    #[arg(long, value_name = "FILE")]
    pub profile: Option<PathBuf>,
    /// Leave the Namespace object out (e.g. when it is managed elsewhere).
    #[arg(long)]
    pub no_namespace: bool,
}

#[derive(Debug, Args)]
#[command(mut_args(for_spec_sides))]
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
    #[command(flatten)]
    pub resolve: ResolveArgs,
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
    #[command(flatten)]
    pub budget: BudgetArgs,
}

/// `gen diff`'s help for the [`ResolveArgs`]: they apply to its spec sides only. (Through
/// `mut_args`, which keeps the arguments' order, so the completion scripts list them where
/// they stand.)
fn for_spec_sides(arg: clap::Arg) -> clap::Arg {
    let help = match arg.get_id().as_str() {
        "platform" => "Target platform for spec sides; overrides the spec's `platform`",
        "profile" => "Use this profile file for spec sides instead of the built-in one",
        "no_namespace" => "Leave the Namespace object out of spec sides",
        _ => return arg,
    };
    arg.help(help)
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
    Sarif,
}

#[derive(Debug, Args)]
pub struct DescribeArgs {
    /// Spec file (`-` for stdin).
    #[arg(conflicts_with = "example")]
    pub spec: Option<String>,
    /// Describe the embedded example spec instead of a file.
    #[arg(long)]
    pub example: bool,
    /// Every warning is an error: exit 1 and print nothing (the CI setting).
    #[arg(long)]
    pub strict: bool,
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
