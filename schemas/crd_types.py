#!/usr/bin/env python3
"""Generates crd_types.rs: the serde types of the custom resources gen types, from their CRDs.

src/typed/crd.rs includes the output. Every field, its Rust type, whether serde demands it,
and every enum value come from the JSON schemas beside this script (the CRD catalog copies
that src/typed/schema.rs validates against); this file only says what a schema cannot: the
Rust name of each struct and enum, the fields left as `serde_json::Value` for the schema
validator alone, and the few fields typed by k8s-openapi's own types.

Rules (so the types read a manifest the way the API server does):
- every struct refuses unknown fields (`deny_unknown_fields`); names are the schema's, in
  camelCase, with a `rename` where snake_case cannot give them back;
- a required field without a default is required by serde; a field with a default that is
  required, or whose default is its type's zero value (`""`, `0`, `false`), is a plain field
  serde fills in when it is missing; every other field is an `Option`;
- `format: int32` is `i32`, any other integer `i64`; `x-kubernetes-int-or-string` is
  `IntOrString`; an `additionalProperties` schema is a `BTreeMap`;
- an enum's values that differ only in case are one variant: the first value spelled in the
  schema is its name, the others are aliases; `""` is the variant `Unset`; an enum whose
  schema gives a default derives `Default` with that variant;
- a sub-schema equal to a named one (descriptions aside) is that type: both `tlsConfig.ca`
  and `tlsConfig.cert` are `SecretOrConfigMap`. A struct or enum this file does not name is
  an error, so a new CRD version cannot slip in an anonymous type;
- the top level is a Kubernetes object: `apiVersion` and `kind` strings (gen checks them
  before typing), `metadata` an `ObjectMeta`, `status` kept untyped (it is the cluster's).

usage: python3 schemas/crd_types.py > schemas/crd_types.rs
"""
import json
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))

# One entry per CRD: its schema, the Rust names of its structs and enums (by field path:
# `.` between fields, `[]` for a sequence's items, `{}` for a map's values), the paths left
# untyped (`serde_json::Value`, checked by the schema validator alone), and the paths typed
# by an existing Rust type.
CRDS = [
    {
        "file": "route_route.openshift.io_v1.json",
        "kind": "Route",
        "names": {
            "": "Route",
            "spec": "RouteSpec",
            "spec.to": "RouteTargetReference",
            "spec.to.kind": "TargetKind",
            "spec.port": "RoutePort",
            "spec.tls": "TlsConfig",
            "spec.tls.termination": "TlsTermination",
            "spec.tls.insecureEdgeTerminationPolicy": "InsecureEdgeTerminationPolicy",
            "spec.wildcardPolicy": "WildcardPolicy",
        },
        "opaque": ["spec.httpHeaders"],
        "extern": {},
    },
    {
        "file": "servicemonitor_monitoring.coreos.com_v1.json",
        "kind": "ServiceMonitor",
        "names": {
            "": "ServiceMonitor",
            "spec": "ServiceMonitorSpec",
            "spec.attachMetadata": "AttachMetadata",
            "spec.endpoints[]": "Endpoint",
            "spec.endpoints[].authorization": "Authorization",
            "spec.endpoints[].authorization.credentials": "KeySelector",
            "spec.endpoints[].basicAuth": "BasicAuth",
            "spec.endpoints[].relabelings[]": "RelabelConfig",
            "spec.endpoints[].relabelings[].action": "RelabelAction",
            "spec.endpoints[].scheme": "Scheme",
            "spec.endpoints[].tlsConfig": "EndpointTlsConfig",
            "spec.endpoints[].tlsConfig.ca": "SecretOrConfigMap",
            "spec.endpoints[].tlsConfig.minVersion": "TlsVersion",
            "spec.namespaceSelector": "NamespaceSelector",
            "spec.scrapeProtocols[]": "ScrapeProtocol",
            "spec.selectorMechanism": "SelectorMechanism",
            "spec.serviceDiscoveryRole": "ServiceDiscoveryRole",
        },
        "opaque": ["spec.endpoints[].oauth2"],
        "extern": {
            "spec.selector": "LabelSelector",
            "spec.nativeHistogramMinBucketFactor": "Quantity",
        },
    },
    {
        "file": "httproute_gateway.networking.k8s.io_v1.json",
        "kind": "HTTPRoute",
        "names": {
            "": "HttpRoute",
            "spec": "HttpRouteSpec",
            "spec.parentRefs[]": "ParentReference",
        },
        # The rules (matches, filters, backends, timeouts): each one left to the schema.
        "opaque": ["spec.rules[]"],
        "extern": {},
    },
]

# Rust's keywords that can be a field name here.
KEYWORDS = {"type", "match", "ref", "use", "mod", "in", "for", "loop", "move", "self", "static"}
# Types with a `Default` (enums and structs generated here are added as they are made).
DEFAULTS = {"String", "bool", "i32", "i64", "Value", "ObjectMeta", "LabelSelector",
            "Quantity", "IntOrString"}
ZERO = {"String": "", "bool": False, "i32": 0, "i64": 0}


def canonical(schema):
    """The schema without its descriptions: two equal ones are one type."""
    if isinstance(schema, dict):
        return {k: canonical(v) for k, v in schema.items() if k != "description"}
    if isinstance(schema, list):
        return [canonical(v) for v in schema]
    return schema


def key(schema):
    return json.dumps(canonical(schema), sort_keys=True)


def at(schema, path):
    """The sub-schema at a field path."""
    for part in re.findall(r"[^.\[{]+|\[\]|\{\}", path):
        if part == "[]":
            schema = schema["items"]
        elif part == "{}":
            schema = schema["additionalProperties"]
        else:
            schema = schema["properties"][part]
    return schema


def snake(name):
    s = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", name)
    return re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", s).lower()


def camel(snake_name):
    """serde's `rename_all = "camelCase"` of a snake_case field name."""
    out, up = [], False
    for c in snake_name:
        if c == "_":
            up = True
        else:
            out.append(c.upper() if up else c)
            up = False
    return "".join(out)


def variant_ident(value):
    if value == "":
        return "Unset"
    ident = re.sub(r"[^A-Za-z0-9]", "", value)
    if ident.upper() == ident or ident.lower() == ident:  # HTTP, TLS10, edge
        ident = ident[:1].upper() + ident[1:].lower()
    return ident[:1].upper() + ident[1:]


class Generator:
    def __init__(self):
        self.names = {}  # canonical schema -> Rust name
        self.items = []  # emitted Rust items, in order
        self.made = {}  # Rust name -> canonical schema it was made from

    def crd(self, crd):
        schema = json.load(open(os.path.join(HERE, crd["file"])))
        self.crd_conf, self.file = crd, crd["file"]
        for path, name in crd["names"].items():
            k = key(at(schema, path))
            if self.names.get(k, name) != name:
                sys.exit(f"{crd['file']}: `{path}` is {name} and {self.names[k]} at once")
            self.names[k] = name
        self.struct(schema, "", root=True)

    def doc(self, path):
        kind = self.crd_conf["kind"]
        return f"/// {kind} `{path}`." if path else f"/// The {kind} object, as schemas/{self.file} has it."

    def name(self, schema, path):
        name = self.names.get(key(schema))
        if name is None:
            sys.exit(f"{self.file}: no Rust name for `{path}`: add it to CRDS")
        return name

    def type_of(self, schema, path):
        """The Rust type of the value at `path`."""
        if path in self.crd_conf["opaque"]:
            return "Value"
        if path in self.crd_conf["extern"]:
            return self.crd_conf["extern"][path]
        if schema.get("x-kubernetes-int-or-string"):
            return "IntOrString"
        if "enum" in schema:
            return self.enum(schema, path)
        t = schema.get("type")
        if t == "string":
            return "String"
        if t == "boolean":
            return "bool"
        if t == "integer":
            return "i32" if schema.get("format") == "int32" else "i64"
        if t == "array":
            return f"Vec<{self.type_of(schema['items'], path + '[]')}>"
        if t == "object" and "properties" in schema:
            return self.struct(schema, path)
        if t == "object" and isinstance(schema.get("additionalProperties"), dict):
            inner = self.type_of(schema["additionalProperties"], path + "{}")
            return f"BTreeMap<String, {inner}>"
        sys.exit(f"{self.file}: cannot type `{path}` ({schema.get('type')})")

    def field(self, name, schema, path, required):
        """(attributes, Rust field name, Rust type, whether the field has a `Default`)."""
        attrs = []
        ident = snake(name)
        if ident in KEYWORDS:
            ident += "_"
            attrs.append(f'rename = "{name}"')
        elif camel(ident) != name:
            attrs.append(f'rename = "{name}"')
        ty = self.type_of(schema, path)
        plain = "default" in schema and (required or ZERO.get(ty, object()) == schema["default"])
        if plain:
            attrs.insert(0, "default")
        elif not required:
            ty = f"Option<{ty}>"
        return attrs, ident, ty, ty.startswith(("Option<", "Vec<", "BTreeMap<")) or ty in DEFAULTS

    def struct(self, schema, path, root=False):
        name = self.name(schema, path)
        if name in self.made:
            return name
        self.made[name] = key(schema)
        slot = len(self.items)
        self.items.append(None)  # keeps the parent before its fields' types
        required = set(schema.get("required", []))
        fields, default = [], True
        for prop, sub in schema["properties"].items():
            sub_path = f"{path}.{prop}" if path else prop
            if root and prop in ("apiVersion", "kind"):
                f = ([], snake(prop), "String", True)
                doc = []
            elif root and prop == "metadata":
                f, doc = (["default"], "metadata", "ObjectMeta", True), []
            elif root and prop == "status":
                attrs = ["default", 'skip_serializing_if = "Option::is_none"']
                f = (attrs, "status", "Option<Value>", True)
                doc = ["Written by the cluster; kept only so an object read back from one types."]
            else:
                f = self.field(prop, sub, sub_path, prop in required)
                doc = []
                if sub_path in self.crd_conf["opaque"] or sub_path + "[]" in self.crd_conf["opaque"]:
                    doc = ["Not typed: left to [`validate_crd`](super::validate_crd) and the schema."]
            fields.append((doc, f))
            default = default and f[3]
        if default:
            DEFAULTS.add(name)
        lines = [
            self.doc(path),
            "#[derive(Clone, Debug{}, PartialEq, Deserialize, Serialize)]".format(
                ", Default" if default else ""),
            '#[serde(deny_unknown_fields, rename_all = "camelCase")]',
            f"pub struct {name} {{",
        ]
        for doc, (attrs, ident, ty, _) in fields:
            lines += [f"    /// {d}" for d in doc]
            if attrs:
                lines.append(f"    #[serde({', '.join(attrs)})]")
            lines.append(f"    pub {ident}: {ty},")
        lines.append("}")
        self.items[slot] = "\n".join(lines)
        return name

    def enum(self, schema, path):
        name = self.name(schema, path)
        if name in self.made:
            return name
        self.made[name] = key(schema)
        groups = []  # [spellings], one per variant, in schema order
        for value in schema["enum"]:
            same = [g for g in groups if g[0].lower() == value.lower()]
            if same:
                same[0].append(value)
            else:
                groups.append([value])
        default = schema.get("default")
        lines = [
            self.doc(path),
            "#[derive(Clone, Copy, Debug{}, PartialEq, Eq, Deserialize, Serialize)]".format(
                ", Default" if default is not None else ""),
            f"pub enum {name} {{",
        ]
        for spellings in groups:
            mixed = [s for s in spellings if s != s.lower() and s != s.upper()]
            ident = variant_ident((mixed or spellings)[0])
            if default in spellings:
                lines.append("    #[default]")
            attrs = [] if ident == spellings[0] else [f'rename = "{spellings[0]}"']
            attrs += [f'alias = "{s}"' for s in spellings[1:]]
            if attrs:
                lines.append(f"    #[serde({', '.join(attrs)})]")
            lines.append(f"    {ident},")
        lines.append("}")
        self.items.append("\n".join(lines))
        if default is not None:
            DEFAULTS.add(name)
        return name


def main():
    gen = Generator()
    for crd in CRDS:
        gen.crd(crd)
    print("// @generated by schemas/crd_types.py from schemas/*.json: do not edit.")
    print("// The serde types of the custom resources gen types (see the script for the rules).")
    for item in gen.items:
        print()
        print(item)


main()
