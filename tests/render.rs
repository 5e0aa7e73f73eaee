//! Every example × platform: the exact text `gen render` prints is pinned by a snapshot, and
//! checked by assertions that stand on their own (a snapshot only repeats what was once
//! accepted).

mod common;

use common::{Bundle, examples, run};
use serde_json::Value;

const PLATFORMS: [&str; 3] = ["aks", "eks", "openshift"];

#[test]
fn every_example_renders_on_every_platform_and_matches_its_snapshot() {
    for example in examples() {
        for platform in PLATFORMS {
            let out = run(&["render", &example, "--platform", platform]);
            assert_eq!(out.code, 0, "{example} on {platform}: {}", out.stderr);
            let stem = std::path::Path::new(&example)
                .file_stem()
                .unwrap()
                .to_str()
                .unwrap()
                .to_string();
            let bundle = Bundle::parse(&out.stdout);
            check_bundle(&bundle, platform, &format!("{stem} on {platform}"));
            insta::with_settings!({ snapshot_path => "../snapshots", prepend_module_to_snapshot => false }, {
                insta::assert_snapshot!(format!("{stem}-{platform}"), out.stdout);
            });
        }
    }
}

/// What every bundle must hold, whatever the spec.
fn check_bundle(b: &Bundle, platform: &str, what: &str) {
    let kinds: Vec<&str> = b.docs.iter().map(|d| d["kind"].as_str().unwrap()).collect();
    // Apply order: Namespace first, then ServiceAccount, Secret, Services, workload, PDB, HPA.
    let rank = |k: &str| match k {
        "Namespace" => 0,
        "ServiceAccount" => 1,
        "Secret" => 2,
        "ConfigMap" => 3,
        "Service" => 4,
        "StatefulSet" | "Deployment" => 5,
        "PodDisruptionBudget" => 6,
        "HorizontalPodAutoscaler" => 7,
        _ => 8,
    };
    assert!(
        kinds.windows(2).all(|w| rank(w[0]) <= rank(w[1])),
        "{what}: apply order {kinds:?}"
    );
    let ns = b
        .docs
        .iter()
        .find(|d| d["kind"] == "Namespace")
        .expect("a Namespace");
    let namespace = ns["metadata"]["name"].as_str().unwrap();
    assert_eq!(
        ns["metadata"]["labels"]["pod-security.kubernetes.io/enforce"], "restricted",
        "{what}"
    );
    for d in &b.docs[1..] {
        assert_eq!(
            d["metadata"]["namespace"].as_str(),
            Some(namespace),
            "{what}: {} carries the namespace",
            d["metadata"]["name"]
        );
    }

    let workload = b
        .docs
        .iter()
        .find(|d| d["kind"] == "StatefulSet" || d["kind"] == "Deployment")
        .expect("a workload");
    let pod = &workload["spec"]["template"];
    let selector = &workload["spec"]["selector"]["matchLabels"];
    assert!(
        selector["app.kubernetes.io/instance"].is_string(),
        "{what}: selector has an instance label"
    );
    for (k, v) in selector.as_object().unwrap() {
        assert_eq!(
            &pod["metadata"]["labels"][k], v,
            "{what}: pod labels match the selector"
        );
    }
    let container = &pod["spec"]["containers"][0];
    let port_names: Vec<&str> = container["ports"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    let port_numbers: Vec<u64> = container["ports"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["containerPort"].as_u64().unwrap())
        .collect();
    for svc in b.docs.iter().filter(|d| d["kind"] == "Service") {
        assert_eq!(
            &svc["spec"]["selector"], selector,
            "{what}: Service selects the pods"
        );
        for p in svc["spec"]["ports"].as_array().unwrap() {
            let t = &p["targetPort"];
            assert!(
                t.as_str().is_some_and(|n| port_names.contains(&n))
                    || t.as_u64().is_some_and(|n| port_numbers.contains(&n)),
                "{what}: targetPort {t} exists among container ports"
            );
        }
    }
    // Hardening: Pod Security Standards "restricted".
    let psc = &pod["spec"]["securityContext"];
    let csc = &container["securityContext"];
    assert_eq!(psc["runAsNonRoot"], true, "{what}");
    assert_eq!(psc["seccompProfile"]["type"], "RuntimeDefault", "{what}");
    assert_eq!(csc["allowPrivilegeEscalation"], false, "{what}");
    assert_eq!(csc["capabilities"]["drop"][0], "ALL", "{what}");
    assert_eq!(csc["readOnlyRootFilesystem"], true, "{what}");
    let openshift = platform == "openshift";
    assert_eq!(
        psc.get("runAsUser").is_none(),
        openshift,
        "{what}: fixed uid only off OpenShift"
    );
    assert_eq!(
        psc.get("fsGroup").is_none(),
        openshift,
        "{what}: fixed fsGroup only off OpenShift"
    );
    assert_eq!(
        b.docs.iter().any(|d| d["kind"] == "Route"),
        openshift,
        "{what}: Route only on OpenShift"
    );
    let client = b
        .docs
        .iter()
        .find(|d| {
            d["kind"] == "Service" && d["metadata"]["name"].as_str().unwrap().ends_with("-cs")
        })
        .unwrap();
    let expected_type = if openshift {
        "ClusterIP"
    } else {
        "LoadBalancer"
    };
    assert_eq!(client["spec"]["type"], expected_type, "{what}");
    let image = container["image"].as_str().unwrap();
    assert!(
        image.contains(':') && !image.ends_with(":latest"),
        "{what}: pinned image"
    );
    for probe in ["readinessProbe", "livenessProbe"] {
        assert_eq!(
            container[probe]["tcpSocket"]["port"], "client-port",
            "{what}: {probe} on the client port"
        );
    }
    assert!(
        container["resources"]["limits"]["memory"].is_string()
            && container["resources"]["requests"]["cpu"].is_string(),
        "{what}"
    );

    // PDB and HPA target the workload.
    let pdb = b
        .docs
        .iter()
        .find(|d| d["kind"] == "PodDisruptionBudget")
        .expect("a PDB");
    assert_eq!(
        &pdb["spec"]["selector"]["matchLabels"], selector,
        "{what}: PDB selects the pods"
    );
    if let Some(hpa) = b
        .docs
        .iter()
        .find(|d| d["kind"] == "HorizontalPodAutoscaler")
    {
        assert_eq!(hpa["apiVersion"], "autoscaling/v2");
        assert_eq!(
            hpa["spec"]["scaleTargetRef"]["name"], workload["metadata"]["name"],
            "{what}"
        );
        assert_eq!(
            hpa["spec"]["scaleTargetRef"]["kind"], workload["kind"],
            "{what}"
        );
        assert!(
            workload["spec"].get("replicas").is_none(),
            "{what}: an HPA-managed workload leaves replicas out"
        );
    }

    let opts = env(container, "MIGRATORYDATA_EXTRA_OPTS").expect("server options");
    if workload["kind"] == "StatefulSet" {
        let headless_name = workload["spec"]["serviceName"].as_str().unwrap();
        let headless = b
            .docs
            .iter()
            .find(|d| d["kind"] == "Service" && d["metadata"]["name"] == headless_name)
            .expect("headless Service");
        assert_eq!(headless["spec"]["clusterIP"], "None", "{what}");
        assert_eq!(headless["spec"]["publishNotReadyAddresses"], true, "{what}");
        let ports: Vec<u64> = headless["spec"]["ports"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["port"].as_u64().unwrap())
            .collect();
        assert_eq!(ports, [8801, 8802, 8803, 8804], "{what}");
        let members = option(&opts, "ClusterMembers").expect("ClusterMembers");
        let members: Vec<&str> = members.split(',').collect();
        let sts = workload["metadata"]["name"].as_str().unwrap();
        for (i, m) in members.iter().enumerate() {
            assert_eq!(
                *m,
                format!("{sts}-{i}.{headless_name}.{namespace}.svc.cluster.local:8801"),
                "{what}: member {i}"
            );
        }
        let max = b
            .docs
            .iter()
            .find(|d| d["kind"] == "HorizontalPodAutoscaler")
            .map(|h| h["spec"]["maxReplicas"].as_u64().unwrap());
        let replicas = workload["spec"]["replicas"].as_u64();
        assert_eq!(
            members.len() as u64,
            max.or(replicas).unwrap(),
            "{what}: one member per possible replica"
        );
        let seeds: u64 = option(&opts, "ClusterSeedMemberCount")
            .unwrap()
            .parse()
            .unwrap();
        assert!(
            pdb["spec"]["minAvailable"].as_u64().unwrap() >= seeds,
            "{what}: PDB keeps the seeds"
        );
        assert!(
            option(&opts, "ClusterMemberListen")
                .unwrap()
                .starts_with("$(POD_NAME)."),
            "{what}"
        );
        assert_eq!(
            container["env"][0]["name"], "POD_NAME",
            "{what}: POD_NAME defined before use"
        );
    } else {
        assert_eq!(
            option(&opts, "ClusterEngine").as_deref(),
            Some("kafka"),
            "{what}"
        );
        assert_eq!(pdb["spec"]["maxUnavailable"], 1, "{what}");
        let kafka = env(container, "MIGRATORYDATA_KAFKA_EXTRA_OPTS").expect("kafka options");
        if option(&kafka, "security.protocol").is_some_and(|p| p.starts_with("SASL_")) {
            let config = option(&kafka, "java.security.auth.login.config").expect("a JAAS path");
            let (dir, file) = config.rsplit_once('/').unwrap();
            let mount = container["volumeMounts"]
                .as_array()
                .unwrap()
                .iter()
                .find(|m| m["mountPath"] == dir)
                .expect("JAAS mounted");
            assert_eq!(mount["readOnly"], true, "{what}");
            let volume = pod["spec"]["volumes"]
                .as_array()
                .unwrap()
                .iter()
                .find(|v| v["name"] == mount["name"])
                .unwrap();
            assert!(
                volume["secret"]["items"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|i| i["path"] == file),
                "{what}: {file} in the Secret volume"
            );
        }
    }
    // Every option value is free of spaces: the server splits its options on spaces.
    for o in opts.split(' ') {
        assert!(o.starts_with("-D"), "{what}: `{o}`");
    }
}

fn env(container: &Value, name: &str) -> Option<String> {
    container["env"]
        .as_array()?
        .iter()
        .find(|e| e["name"] == name)?["value"]
        .as_str()
        .map(str::to_string)
}

fn option(opts: &str, name: &str) -> Option<String> {
    opts.split(' ')
        .find_map(|o| o.strip_prefix(&format!("-D{name}=")).map(str::to_string))
}

#[test]
fn same_input_gives_byte_identical_output() {
    let a = run(&["render", "examples/native.yaml"]);
    let b = run(&["render", "examples/native.yaml"]);
    assert_eq!(a.code, 0);
    assert_eq!(a.stdout, b.stdout);
}

#[test]
fn seed_001_parity_native_aks() {
    let out = run(&["render", "examples/aks-native-guide.yaml"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let b = Bundle::parse(&out.stdout);
    let kinds: Vec<&str> = b.docs.iter().map(|d| d["kind"].as_str().unwrap()).collect();
    for k in [
        "Namespace",
        "Service",
        "StatefulSet",
        "PodDisruptionBudget",
        "HorizontalPodAutoscaler",
    ] {
        assert!(kinds.contains(&k), "{k} in {kinds:?}");
    }
    let cs = b.get("Service", "migratorydata-cs");
    assert_eq!(cs["spec"]["type"], "LoadBalancer");
    assert_eq!(cs["spec"]["ports"][0]["port"], 80);
    let sts = b.get("StatefulSet", "migratorydata");
    let client = sts["spec"]["template"]["spec"]["containers"][0]["ports"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "client-port")
        .unwrap()
        .clone();
    assert_eq!(
        client["containerPort"], 8800,
        "the Service's client-port is 8800 as in the guide"
    );
    assert_eq!(
        b.get("Service", "migratorydata-hs")["spec"]["clusterIP"],
        "None"
    );
    assert_eq!(
        b.get("PodDisruptionBudget", "migratorydata-pdb")["spec"]["minAvailable"],
        3
    );
    let hpa = b.get("HorizontalPodAutoscaler", "migratorydata-autoscale");
    assert_eq!(
        (
            hpa["spec"]["minReplicas"].as_u64(),
            hpa["spec"]["maxReplicas"].as_u64()
        ),
        (Some(3), Some(5))
    );
    assert_eq!(
        hpa["spec"]["metrics"][0]["resource"]["target"]["averageUtilization"],
        50
    );
    let opts = env(
        &sts["spec"]["template"]["spec"]["containers"][0],
        "MIGRATORYDATA_EXTRA_OPTS",
    )
    .unwrap();
    assert_eq!(
        option(&opts, "ClusterSeedMemberCount").as_deref(),
        Some("3")
    );
    assert_eq!(
        option(&opts, "ClusterMembers").unwrap().split(',').count(),
        5,
        "MAX_REPLICAS=5 in the guide"
    );
    assert!(
        out.stderr.contains("node drains hang"),
        "the guide's PDB blocks drains, and gen says so: {}",
        out.stderr
    );
}

#[test]
fn seed_000_parity_kafka_event_hubs() {
    let out = run(&["render", "examples/aks-eventhubs-guide.yaml"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let b = Bundle::parse(&out.stdout);
    let d = b.get("Deployment", "migratorydata");
    let c = &d["spec"]["template"]["spec"]["containers"][0];
    assert_eq!(
        env(c, "MIGRATORYDATA_KAFKA_EXTRA_OPTS").as_deref(),
        Some(
            "-Dbootstrap.servers=evhns-migratorydata.servicebus.windows.net:9093 -Dtopics=vehicles -Dsecurity.protocol=SASL_SSL -Dsasl.mechanism=PLAIN -Djava.security.auth.login.config=/migratorydata/secrets/jaas.config"
        )
    );
    assert!(
        env(c, "MIGRATORYDATA_EXTRA_OPTS")
            .unwrap()
            .contains("-DClusterEngine=kafka")
    );
    let vol = d["spec"]["template"]["spec"]["volumes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["name"] == "jaas")
        .unwrap()
        .clone();
    assert_eq!(vol["secret"]["secretName"], "migratory-secret");
    let cs = b.get("Service", "migratorydata-cs");
    assert_eq!(
        (
            cs["spec"]["type"].as_str(),
            cs["spec"]["ports"][0]["port"].as_u64()
        ),
        (Some("LoadBalancer"), Some(80))
    );
    assert!(
        !b.docs.iter().any(|d| d["kind"] == "Secret"),
        "the Secret exists already: gen does not render it"
    );
}

/// A fleet (enough specs to render on several threads) prints the same bytes, in input order,
/// as rendering each spec alone; a failing spec in the middle fails the whole call with every
/// error in input order and nothing on stdout.
#[test]
fn a_fleet_renders_in_input_order_as_one_by_one() {
    let dir = tempfile::tempdir().unwrap();
    let mut specs = Vec::new();
    for i in 0..40 {
        let path = dir.path().join(format!("s{i:02}.yaml"));
        let platform = PLATFORMS[i % 3];
        std::fs::write(
            &path,
            format!(
                "name: md{i}\nnamespace: tenant-{i}\nplatform: {platform}\nreplicas: {}\n",
                4 + i % 3
            ),
        )
        .unwrap();
        specs.push(path.display().to_string());
    }
    let args: Vec<&str> = std::iter::once("render")
        .chain(specs.iter().map(String::as_str))
        .collect();
    let fleet = run(&args);
    assert_eq!((fleet.code, fleet.stderr.as_str()), (0, ""));
    let one_by_one: String = specs
        .iter()
        .map(|s| {
            let r = run(&["render", s]);
            assert_eq!(r.code, 0);
            r.stdout
        })
        .collect();
    assert!(
        fleet.stdout == one_by_one,
        "fleet output differs from one by one"
    );
    let bundle = Bundle::parse(&fleet.stdout);
    let sts: Vec<&str> = bundle
        .docs
        .iter()
        .filter(|d| d["kind"] == "StatefulSet")
        .map(|d| d["metadata"]["name"].as_str().unwrap())
        .collect();
    let expected: Vec<String> = (0..40).map(|i| format!("md{i}")).collect();
    assert_eq!(sts, expected, "one StatefulSet per spec, in input order");

    // Specs 7 and 31 broken: both reported, in that order; nothing on stdout.
    for (i, bad) in [(7, "replicas: 0\n"), (31, "replica: 3\n")] {
        std::fs::write(
            &specs[i],
            format!("namespace: tenant-{i}\nplatform: aks\n{bad}"),
        )
        .unwrap();
    }
    let failed = run(&args);
    assert_eq!((failed.code, failed.stdout.as_str()), (1, ""));
    let first = failed.stderr.find("s07.yaml").expect("spec 7 reported");
    let second = failed.stderr.find("s31.yaml").expect("spec 31 reported");
    assert!(first < second, "{}", failed.stderr);
}
