package deploy

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"slices"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/serializer/json"
	"k8s.io/apimachinery/pkg/util/intstr"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/yaml"
)

const (
	k8sDir = "k8s"
	// examplesDir holds manifests the kustomization does not apply; they are decoded and checked too.
	examplesDir = "examples"
	// phaseLabel marks what `kubectl apply -k deploy/k8s -l licensecentral.io/apply-phase=migrate`
	// applies first: the Namespace, the migrate Job and the ConfigMap and Secret it reads (README).
	phaseLabel     = "licensecentral.io/apply-phase"
	phaseMigrate   = "migrate"
	componentLabel = "app.kubernetes.io/component"
	// placeholder is what every value of a Secret here must contain: real ones go in an overlay.
	placeholder = "REPLACE_ME"
)

// devOnlyEnv are variables production must not set: HS256 verification is for the dev stack and the
// tests, and it takes precedence over OIDC.
var devOnlyEnv = []string{"CLC_AUTH_HS256_SECRET", "CLC_AUTH_ISSUER"}

// internalPaths are the api's routes an Ingress must not expose.
var internalPaths = []string{"/metrics", "/healthz", "/readyz"}

// kustomization is the part of kustomize's Kustomization these manifests use, decoded strictly: a
// misspelt field fails. Using another kustomize field here means adding it to this struct first.
type kustomization struct {
	APIVersion string      `json:"apiVersion"`
	Kind       string      `json:"kind"`
	Namespace  string      `json:"namespace"`
	Resources  []string    `json:"resources"`
	Images     []kustImage `json:"images"`
}

type kustImage struct {
	Name    string `json:"name"`
	NewName string `json:"newName,omitempty"`
	NewTag  string `json:"newTag,omitempty"`
	Digest  string `json:"digest,omitempty"`
}

type manifest struct {
	file string
	kind string
	obj  runtime.Object
	meta metav1.Object
}

func (m manifest) String() string { return fmt.Sprintf("%s %s/%s", m.file, m.kind, m.meta.GetName()) }

type bundle struct {
	kust     kustomization
	applied  []manifest // from the files the kustomization lists
	examples []manifest // from examples/
}

// k8sDecoder decodes the API types the manifests use, strictly: an unknown or duplicated field, a
// kind the version does not have, or a malformed quantity is an error.
func k8sDecoder() runtime.Decoder {
	scheme := runtime.NewScheme()
	for _, add := range []func(*runtime.Scheme) error{corev1.AddToScheme, appsv1.AddToScheme,
		batchv1.AddToScheme, policyv1.AddToScheme, networkingv1.AddToScheme} {
		if err := add(scheme); err != nil {
			panic(err)
		}
	}
	return json.NewSerializerWithOptions(json.DefaultMetaFactory, scheme, scheme,
		json.SerializerOptions{Yaml: true, Strict: true})
}

// loadK8s decodes the kustomization and every manifest under fsys, and reports files the
// kustomization does not list (outside examples/) and entries it lists that are no file.
func loadK8s(fsys fs.FS) (*bundle, []string) {
	var problems []string
	bad := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	b := &bundle{}
	data, err := fs.ReadFile(fsys, "kustomization.yaml")
	if err != nil {
		return nil, []string{err.Error()}
	}
	if err := yaml.UnmarshalStrict(data, &b.kust); err != nil {
		bad("kustomization.yaml: %v", err)
	}
	if b.kust.APIVersion != "kustomize.config.k8s.io/v1beta1" || b.kust.Kind != "Kustomization" {
		bad("kustomization.yaml: apiVersion/kind %s/%s", b.kust.APIVersion, b.kust.Kind)
	}
	listed := map[string]bool{}
	for _, r := range b.kust.Resources {
		if listed[r] {
			bad("kustomization.yaml lists %s twice", r)
		}
		listed[r] = true
	}
	dec := k8sDecoder()
	found := map[string]bool{}
	err = fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || p == "kustomization.yaml" {
			return err
		}
		if ext := path.Ext(p); ext != ".yaml" && ext != ".yml" {
			bad("%s: not a manifest (only .yaml files belong in deploy/k8s)", p)
			return nil
		}
		example := strings.HasPrefix(p, examplesDir+"/")
		if !example {
			found[p] = true
			if !listed[p] {
				bad("%s is not in kustomization.yaml's resources", p)
			}
		}
		data, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		r := utilyaml.NewYAMLReader(bufio.NewReader(bytes.NewReader(data)))
		for i := 1; ; i++ {
			doc, err := r.Read()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				bad("%s: %v", p, err)
				break
			}
			var probe map[string]any
			if err := yaml.Unmarshal(doc, &probe); err == nil && len(probe) == 0 {
				continue // only comments
			}
			obj, gvk, err := dec.Decode(doc, nil, nil)
			if err != nil {
				bad("%s (document %d): %v", p, i, err)
				continue
			}
			m, err := meta.Accessor(obj)
			if err != nil {
				bad("%s (document %d): %v", p, i, err)
				continue
			}
			mf := manifest{file: p, kind: gvk.Kind, obj: obj, meta: m}
			if example {
				b.examples = append(b.examples, mf)
			} else {
				b.applied = append(b.applied, mf)
			}
		}
		return nil
	})
	if err != nil {
		bad("%v", err)
	}
	for _, r := range b.kust.Resources {
		if !found[r] {
			bad("kustomization.yaml lists %s, which is no manifest here", r)
		}
	}
	return b, problems
}

// workload is a pod template of a Deployment or Job.
type workload struct {
	m        manifest
	replicas int32 // -1 for a Job
	labels   map[string]string
	annots   map[string]string
	spec     *corev1.PodSpec
	command  string // the clc command its (first) container runs
}

type checker struct {
	b          *bundle
	commands   map[string]bool
	problems   []string
	configMaps map[string]*corev1.ConfigMap
	secrets    map[string]map[string]string
	services   []*corev1.Service
	workloads  []*workload
}

func (c *checker) bad(format string, args ...any) {
	c.problems = append(c.problems, fmt.Sprintf(format, args...))
}

// checkK8s reports what in b would not deploy or run as the README says.
func checkK8s(b *bundle, commands map[string]bool) []string {
	c := &checker{b: b, commands: commands, configMaps: map[string]*corev1.ConfigMap{}, secrets: map[string]map[string]string{}}
	var namespaces []*corev1.Namespace
	for _, m := range b.applied {
		if ns := m.meta.GetNamespace(); ns != "" && ns != b.kust.Namespace {
			c.bad("%s: namespace %s, but the kustomization puts everything in %s", m, ns, b.kust.Namespace)
		}
		switch o := m.obj.(type) {
		case *corev1.Namespace:
			namespaces = append(namespaces, o)
		case *corev1.ConfigMap:
			c.configMaps[o.Name] = o
			c.checkEnvKeys(m, o.Data)
		case *corev1.Secret:
			values := map[string]string{}
			for k, v := range o.Data {
				values[k] = string(v)
			}
			for k, v := range o.StringData {
				values[k] = v
			}
			// The pods get the overlay's values, never these placeholders: config.Load is shown a stand-in
			// as long as a real secret (64 bytes), so a length rule such as CLC_LINK_SECRET's judges the
			// manifests rather than the placeholder.
			standIns := map[string]string{}
			for _, k := range sortedKeys(values) {
				if !strings.Contains(values[k], placeholder) {
					c.bad("%s: %s is not a %s placeholder: real values go in an overlay, not in the repository", m, k, placeholder)
				}
				standIns[k] = strings.Repeat("s", 64)
			}
			c.secrets[o.Name] = standIns
			c.checkEnvKeys(m, values)
		case *corev1.Service:
			c.services = append(c.services, o)
		case *appsv1.Deployment:
			replicas := int32(1)
			if o.Spec.Replicas != nil {
				replicas = *o.Spec.Replicas
			}
			if sel, err := metav1.LabelSelectorAsSelector(o.Spec.Selector); err != nil || sel.Empty() ||
				!sel.Matches(labels.Set(o.Spec.Template.Labels)) {
				c.bad("%s: the selector %s does not select its own pods (%v)", m, metav1.FormatLabelSelector(o.Spec.Selector), o.Spec.Template.Labels)
			}
			if replicas < 2 {
				c.bad("%s: replicas %d: run at least 2 so a restart or a drain leaves one", m, replicas)
			}
			c.workloads = append(c.workloads, &workload{m: m, replicas: replicas, labels: o.Spec.Template.Labels,
				annots: o.Spec.Template.Annotations, spec: &o.Spec.Template.Spec})
		case *batchv1.Job:
			if o.Spec.BackoffLimit == nil || o.Spec.ActiveDeadlineSeconds == nil {
				c.bad("%s: set backoffLimit and activeDeadlineSeconds so a failing migration stops", m)
			}
			c.workloads = append(c.workloads, &workload{m: m, replicas: -1, labels: o.Spec.Template.Labels,
				annots: o.Spec.Template.Annotations, spec: &o.Spec.Template.Spec})
		}
	}
	if len(namespaces) != 1 || namespaces[0].Name != b.kust.Namespace {
		c.bad("want one Namespace, %q as in the kustomization, got %d", b.kust.Namespace, len(namespaces))
	} else if namespaces[0].Labels["pod-security.kubernetes.io/enforce"] != "restricted" {
		c.bad("Namespace %s: enforce the restricted Pod Security Standard (label pod-security.kubernetes.io/enforce)", namespaces[0].Name)
	}
	for _, w := range c.workloads {
		c.checkPod(w)
	}
	ran := map[string]string{}
	for _, w := range c.workloads {
		if w.command != "" {
			ran[w.command] = w.m.kind
		}
	}
	for cmd, kind := range map[string]string{"api": "Deployment", "worker": "Deployment", "migrate": "Job"} {
		if ran[cmd] != kind {
			c.bad("want a %s running `clc %s`, got %q", kind, cmd, ran[cmd])
		}
	}
	c.checkServices()
	c.checkPDBs()
	c.checkPhases()
	c.checkIngresses()
	return c.problems
}

// checkEnvKeys: a ConfigMap's or Secret's keys become variables (envFrom) or are picked by name; each
// must be one the binaries read, and none a dev-only one.
func (c *checker) checkEnvKeys(m manifest, values map[string]string) {
	for _, k := range sortedKeys(values) {
		switch {
		case slices.Contains(devOnlyEnv, k):
			c.bad("%s: %s is for the dev stack and tests only (HS256 takes precedence over OIDC)", m, k)
		case !knownEnv(k):
			c.bad("%s: %s is no variable config.Load reads", m, k)
		}
	}
}

func (c *checker) checkPod(w *workload) {
	ps := w.spec
	if ps.AutomountServiceAccountToken == nil || *ps.AutomountServiceAccountToken {
		c.bad("%s: set automountServiceAccountToken: false (clc never calls the Kubernetes API)", w.m)
	}
	if ps.EnableServiceLinks == nil || *ps.EnableServiceLinks {
		c.bad("%s: set enableServiceLinks: false (a Service named clc-… injects CLC_…_PORT variables)", w.m)
	}
	if len(ps.InitContainers) > 0 || len(ps.Containers) != 1 {
		c.bad("%s: want exactly one container, clc", w.m)
	}
	for i := range ps.Containers {
		ct := &ps.Containers[i]
		where := fmt.Sprintf("%s container %s", w.m, ct.Name)
		c.checkResources(where, ct.Resources)
		c.checkSecurity(where, ps.SecurityContext, ct.SecurityContext)
		c.checkImage(where, ct.Image)
		if len(ct.Command) != 0 || len(ct.Args) != 1 || !c.commands[ct.Args[0]] {
			c.bad("%s: run the image's entrypoint with one clc command of %v as args, not command %q args %q",
				where, sortedKeys(c.commands), ct.Command, ct.Args)
			continue
		}
		cmd := ct.Args[0]
		if w.command == "" {
			w.command = cmd
		}
		if w.labels[componentLabel] != cmd {
			c.bad("%s: runs %s but is labelled %s=%s", where, cmd, componentLabel, w.labels[componentLabel])
		}
		env := c.containerEnv(where, ct)
		if err := loadConfig(cmd, env); err != nil {
			c.bad("%s: config.Load and the check of `clc %s` refuse its settings: %v", where, cmd, err)
			continue
		}
		probes := map[string]*corev1.Probe{"readiness": ct.ReadinessProbe, "liveness": ct.LivenessProbe, "startup": ct.StartupProbe}
		port, variable, err := listenPort(cmd, env)
		if err != nil {
			c.bad("%s: %s: %v", where, variable, err)
			continue
		}
		if port == 0 {
			for _, kind := range sortedKeys(probes) {
				if p := probes[kind]; p != nil && p.HTTPGet != nil {
					c.bad("%s: %s probe over HTTP, but `clc %s` serves no HTTP", where, kind, cmd)
				}
			}
			continue
		}
		if !slices.ContainsFunc(ct.Ports, func(p corev1.ContainerPort) bool { return int(p.ContainerPort) == port }) {
			c.bad("%s: listens on %d (%s), which is no containerPort", where, port, variable)
		}
		// The worker's probes as the api's: readiness asks the database and Temporal, liveness nothing.
		for kind, want := range map[string]string{"readiness": "/readyz", "liveness": "/healthz"} {
			p := probes[kind]
			if p == nil || p.HTTPGet == nil || p.HTTPGet.Path != want {
				c.bad("%s: want a %s probe GET %s", where, kind, want)
			} else if got := resolvePort(ct, p.HTTPGet.Port); got != port {
				c.bad("%s: the %s probe goes to port %s (%d), `clc %s` listens on %d", where, kind, p.HTTPGet.Port.String(), got, cmd, port)
			}
		}
		if w.annots["prometheus.io/scrape"] != "true" || w.annots["prometheus.io/path"] != "/metrics" ||
			w.annots["prometheus.io/port"] != strconv.Itoa(port) {
			c.bad("%s: want the annotations prometheus.io/scrape \"true\", path /metrics, port %d; got %v", w.m, port, w.annots)
		}
	}
}

func (c *checker) checkResources(where string, r corev1.ResourceRequirements) {
	for _, name := range []corev1.ResourceName{corev1.ResourceCPU, corev1.ResourceMemory} {
		req, hasReq := r.Requests[name]
		lim, hasLim := r.Limits[name]
		if !hasReq {
			c.bad("%s: no requests.%s", where, name)
		}
		if !hasLim {
			c.bad("%s: no limits.%s", where, name)
		}
		if hasReq && hasLim && req.Cmp(lim) > 0 {
			c.bad("%s: requests.%s %s exceeds limits.%s %s", where, name, req.String(), name, lim.String())
		}
	}
}

// checkSecurity wants what the restricted Pod Security Standard wants, and a read-only root
// filesystem; the container's securityContext wins over the pod's where both may say it.
func (c *checker) checkSecurity(where string, pod *corev1.PodSecurityContext, sc *corev1.SecurityContext) {
	if pod == nil {
		pod = &corev1.PodSecurityContext{}
	}
	if sc == nil {
		sc = &corev1.SecurityContext{}
	}
	nonRoot, user, seccomp := pod.RunAsNonRoot, pod.RunAsUser, pod.SeccompProfile
	if sc.RunAsNonRoot != nil {
		nonRoot = sc.RunAsNonRoot
	}
	if sc.RunAsUser != nil {
		user = sc.RunAsUser
	}
	if sc.SeccompProfile != nil {
		seccomp = sc.SeccompProfile
	}
	if nonRoot == nil || !*nonRoot || (user != nil && *user == 0) {
		c.bad("%s: must run as non-root (runAsNonRoot: true)", where)
	}
	if sc.AllowPrivilegeEscalation == nil || *sc.AllowPrivilegeEscalation {
		c.bad("%s: set allowPrivilegeEscalation: false", where)
	}
	if sc.Privileged != nil && *sc.Privileged {
		c.bad("%s: must not be privileged", where)
	}
	if sc.ReadOnlyRootFilesystem == nil || !*sc.ReadOnlyRootFilesystem {
		c.bad("%s: set readOnlyRootFilesystem: true", where)
	}
	if sc.Capabilities == nil || !slices.Contains(sc.Capabilities.Drop, "ALL") || len(sc.Capabilities.Add) > 0 {
		c.bad("%s: drop all capabilities (capabilities.drop: [ALL]) and add none", where)
	}
	if seccomp == nil || (seccomp.Type != corev1.SeccompProfileTypeRuntimeDefault && seccomp.Type != corev1.SeccompProfileTypeLocalhost) {
		c.bad("%s: set seccompProfile.type: RuntimeDefault", where)
	}
}

// checkImage wants an image the kustomization's images: can override.
func (c *checker) checkImage(where, image string) {
	name := image
	if i := strings.Index(name, "@"); i >= 0 {
		name = name[:i]
	}
	if i := strings.LastIndex(name, ":"); i > strings.LastIndex(name, "/") {
		name = name[:i]
	}
	if !slices.ContainsFunc(c.b.kust.Images, func(im kustImage) bool { return im.Name == name }) {
		c.bad("%s: image %s has no entry in the kustomization's images:", where, image)
	}
}

// containerEnv resolves the variables a container gets, reporting references to ConfigMaps, Secrets
// or keys that do not exist and CLC_* names the binaries do not read.
func (c *checker) containerEnv(where string, ct *corev1.Container) map[string]string {
	env := map[string]string{}
	for _, ef := range ct.EnvFrom {
		var values map[string]string
		switch {
		case ef.ConfigMapRef != nil:
			if cm, ok := c.configMaps[ef.ConfigMapRef.Name]; ok {
				values = cm.Data
			} else if ef.ConfigMapRef.Optional == nil || !*ef.ConfigMapRef.Optional {
				c.bad("%s: envFrom ConfigMap %s does not exist", where, ef.ConfigMapRef.Name)
			}
		case ef.SecretRef != nil:
			if s, ok := c.secrets[ef.SecretRef.Name]; ok {
				values = s
			} else if ef.SecretRef.Optional == nil || !*ef.SecretRef.Optional {
				c.bad("%s: envFrom Secret %s does not exist", where, ef.SecretRef.Name)
			}
		}
		for k, v := range values {
			env[ef.Prefix+k] = v
		}
	}
	for _, e := range ct.Env {
		v := e.Value
		if vf := e.ValueFrom; vf != nil {
			var values map[string]string
			var kind, name, key string
			var optional *bool
			switch {
			case vf.ConfigMapKeyRef != nil:
				kind, name, key, optional = "ConfigMap", vf.ConfigMapKeyRef.Name, vf.ConfigMapKeyRef.Key, vf.ConfigMapKeyRef.Optional
				if cm, ok := c.configMaps[name]; ok {
					values = cm.Data
				}
			case vf.SecretKeyRef != nil:
				kind, name, key, optional = "Secret", vf.SecretKeyRef.Name, vf.SecretKeyRef.Key, vf.SecretKeyRef.Optional
				values = c.secrets[name]
			}
			if kind != "" {
				if got, ok := values[key]; ok {
					v = got
				} else if optional == nil || !*optional {
					c.bad("%s: %s refers to key %s of %s %s, which does not exist", where, e.Name, key, kind, name)
				}
			}
		}
		env[e.Name] = v
	}
	for _, k := range sortedKeys(env) {
		switch {
		case slices.Contains(devOnlyEnv, k):
			c.bad("%s: sets %s, which is for the dev stack and tests only", where, k)
		case strings.HasPrefix(k, "CLC_") && !knownEnv(k):
			c.bad("%s: sets %s, which config.Load does not read", where, k)
		}
	}
	return env
}

// resolvePort is the number a probe's or Service's port (a name or a number) means in ct, or 0.
func resolvePort(ct *corev1.Container, p intstr.IntOrString) int {
	if p.Type == intstr.Int {
		return p.IntValue()
	}
	for _, cp := range ct.Ports {
		if cp.Name == p.StrVal {
			return int(cp.ContainerPort)
		}
	}
	return 0
}

// selected are the Deployments whose pods sel matches.
func (c *checker) selected(sel labels.Selector) []*workload {
	var out []*workload
	for _, w := range c.workloads {
		if w.m.kind == "Deployment" && !sel.Empty() && sel.Matches(labels.Set(w.labels)) {
			out = append(out, w)
		}
	}
	return out
}

func (c *checker) checkServices() {
	apiServed := false
	for _, s := range c.services {
		ws := c.selected(labels.SelectorFromSet(s.Spec.Selector))
		if len(ws) != 1 {
			c.bad("Service %s: its selector %v selects %d Deployments, want 1", s.Name, s.Spec.Selector, len(ws))
			continue
		}
		ct := &ws[0].spec.Containers[0]
		for _, p := range s.Spec.Ports {
			target := resolvePort(ct, p.TargetPort)
			if target == 0 || !slices.ContainsFunc(ct.Ports, func(cp corev1.ContainerPort) bool { return int(cp.ContainerPort) == target }) {
				c.bad("Service %s: port %d targets %s, which is no port of %s", s.Name, p.Port, p.TargetPort.String(), ws[0].m)
			}
			apiServed = apiServed || (ws[0].command == "api" && p.Port == 80 && target == 8080)
		}
	}
	if !apiServed {
		c.bad("want a Service on port 80 to the api's 8080")
	}
}

func (c *checker) checkPDBs() {
	covered := map[*workload]bool{}
	for _, m := range c.b.applied {
		pdb, ok := m.obj.(*policyv1.PodDisruptionBudget)
		if !ok {
			continue
		}
		sel, err := metav1.LabelSelectorAsSelector(pdb.Spec.Selector)
		if err != nil {
			c.bad("%s: %v", m, err)
			continue
		}
		ws := c.selected(sel)
		if len(ws) != 1 {
			c.bad("%s: selects %d Deployments, want 1", m, len(ws))
			continue
		}
		covered[ws[0]] = true
		if pdb.Spec.MinAvailable == nil || pdb.Spec.MinAvailable.Type != intstr.Int || int32(pdb.Spec.MinAvailable.IntValue()) >= ws[0].replicas {
			c.bad("%s: want minAvailable a number below the %d replicas of %s, so a drain can proceed", m, ws[0].replicas, ws[0].m)
		}
	}
	for _, w := range c.workloads {
		if w.command == "api" && !covered[w] {
			c.bad("%s: no PodDisruptionBudget", w.m)
		}
	}
}

// checkPhases: the first step applies the Namespace, the Job and what the Job reads, and nothing that
// rolls the api or worker before the migration has run.
func (c *checker) checkPhases() {
	needed := map[string]bool{}
	for _, w := range c.workloads {
		if w.m.kind != "Job" {
			continue
		}
		needed["Job/"+w.m.meta.GetName()] = true
		for _, ct := range w.spec.Containers {
			for _, ef := range ct.EnvFrom {
				if ef.ConfigMapRef != nil {
					needed["ConfigMap/"+ef.ConfigMapRef.Name] = true
				}
				if ef.SecretRef != nil {
					needed["Secret/"+ef.SecretRef.Name] = true
				}
			}
			for _, e := range ct.Env {
				if e.ValueFrom != nil && e.ValueFrom.ConfigMapKeyRef != nil {
					needed["ConfigMap/"+e.ValueFrom.ConfigMapKeyRef.Name] = true
				}
				if e.ValueFrom != nil && e.ValueFrom.SecretKeyRef != nil {
					needed["Secret/"+e.ValueFrom.SecretKeyRef.Name] = true
				}
			}
		}
	}
	for _, m := range c.b.applied {
		id := m.kind + "/" + m.meta.GetName()
		phase, ok := m.meta.GetLabels()[phaseLabel]
		switch {
		case ok && phase != phaseMigrate:
			c.bad("%s: %s=%q; the only phase is %q", m, phaseLabel, phase, phaseMigrate)
		case (needed[id] || m.kind == "Namespace") && !ok:
			c.bad("%s: label it %s=%s: the migration step needs it", m, phaseLabel, phaseMigrate)
		case m.kind == "Deployment" && ok:
			c.bad("%s: must not be in phase %s (it would roll before the migration ran)", m, phaseMigrate)
		}
	}
}

// checkIngresses: the backends exist, and the internal routes stay internal.
func (c *checker) checkIngresses() {
	for _, m := range append(slices.Clone(c.b.applied), c.b.examples...) {
		ing, ok := m.obj.(*networkingv1.Ingress)
		if !ok {
			continue
		}
		if ing.Spec.DefaultBackend != nil {
			c.bad("%s: a defaultBackend exposes every route, %v included", m, internalPaths)
		}
		for _, rule := range ing.Spec.Rules {
			if rule.HTTP == nil {
				continue
			}
			for _, p := range rule.HTTP.Paths {
				for _, internal := range internalPaths {
					exact := p.PathType != nil && *p.PathType == networkingv1.PathTypeExact
					prefix := strings.TrimSuffix(p.Path, "/")
					if internal == p.Path || (!exact && (prefix == "" || strings.HasPrefix(internal, prefix+"/"))) {
						c.bad("%s: path %s exposes %s", m, p.Path, internal)
					}
				}
				c.checkBackend(m, p.Backend)
			}
		}
	}
}

func (c *checker) checkBackend(m manifest, be networkingv1.IngressBackend) {
	if be.Service == nil {
		c.bad("%s: a backend that is no Service", m)
		return
	}
	for _, s := range c.services {
		if s.Name != be.Service.Name {
			continue
		}
		for _, p := range s.Spec.Ports {
			if (be.Service.Port.Name != "" && p.Name == be.Service.Port.Name) || (be.Service.Port.Number != 0 && p.Port == be.Service.Port.Number) {
				return
			}
		}
		c.bad("%s: Service %s has no port %v", m, s.Name, be.Service.Port)
		return
	}
	c.bad("%s: no Service %s", m, be.Service.Name)
}

func TestK8sManifests(t *testing.T) {
	b, problems := loadK8s(os.DirFS(k8sDir))
	if b != nil {
		problems = append(problems, checkK8s(b, clcCommands(t))...)
	}
	for _, p := range problems {
		t.Error("deploy/k8s: " + p)
	}
	if b != nil && len(b.applied) == 0 {
		t.Error("deploy/k8s: no manifests decoded")
	}
}

// TestK8sChecksCatch breaks the manifests in the ways the checks exist for, and expects each to be
// reported.
func TestK8sChecksCatch(t *testing.T) {
	orig := fstest.MapFS{}
	err := fs.WalkDir(os.DirFS(k8sDir), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(path.Join(k8sDir, p))
		orig[p] = &fstest.MapFile{Data: data}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	commands := clcCommands(t)
	for _, c := range []struct{ name, file, old, new, want string }{
		{"misspelt field", "api.yaml", "readinessProbe:", "readinesProbe:", `unknown field "spec.template.spec.containers[0].readinesProbe"`},
		{"wrong apiVersion", "api.yaml", "apiVersion: policy/v1\n", "apiVersion: policy/v1beta2\n", "policy/v1beta2"},
		{"bad quantity", "worker.yaml", "memory: 512Mi", "memory: 512MB", "quantities must match"},
		{"no memory limit", "api.yaml", "              cpu: \"1\"\n              memory: 256Mi\n", "              cpu: \"1\"\n", "container api: no limits.memory"},
		{"privilege escalation", "worker.yaml", "allowPrivilegeEscalation: false", "allowPrivilegeEscalation: true", "container worker: set allowPrivilegeEscalation: false"},
		{"writable root", "migrate.yaml", "readOnlyRootFilesystem: true", "readOnlyRootFilesystem: false", "container migrate: set readOnlyRootFilesystem: true"},
		{"capabilities kept", "api.yaml", `drop: ["ALL"]`, `drop: ["NET_RAW"]`, "container api: drop all capabilities"},
		{"root", "migrate.yaml", "runAsNonRoot: true\n        runAsUser: 65532", "runAsNonRoot: true\n        runAsUser: 0", "container migrate: must run as non-root"},
		{"no seccomp", "worker.yaml", "        seccompProfile:\n          type: RuntimeDefault\n", "", "container worker: set seccompProfile.type"},
		{"liveness path", "api.yaml", "path: /healthz", "path: /health", "want a liveness probe GET /healthz"},
		{"probe port", "api.yaml", "              path: /readyz\n              port: http", "              path: /readyz\n              port: 9090", "readiness probe goes to port 9090"},
		{"http probe on the migration", "migrate.yaml", "          resources:", "          livenessProbe:\n            httpGet: {path: /healthz, port: 8080}\n          resources:", "serves no HTTP"},
		{"worker liveness path", "worker.yaml", "path: /healthz", "path: /livez", "container worker: want a liveness probe GET /healthz"},
		{"worker readiness gone", "worker.yaml", "          readinessProbe:\n            httpGet:\n              path: /readyz\n              port: metrics\n", "          startupProbe:\n            httpGet:\n              path: /readyz\n              port: metrics\n", "container worker: want a readiness probe GET /readyz"},
		{"worker probe port", "worker.yaml", "              path: /readyz\n              port: metrics", "              path: /readyz\n              port: 8080", "readiness probe goes to port 8080 (8080), `clc worker` listens on 9090"},
		{"worker listen address", "config.yaml", `CLC_WORKER_LISTEN_ADDR: ":9090"`, `CLC_WORKER_LISTEN_ADDR: ":9091"`, "listens on 9091 (CLC_WORKER_LISTEN_ADDR)"},
		{"worker scrape port", "worker.yaml", `prometheus.io/port: "9090"`, `prometheus.io/port: "8080"`, "port 9090; got"},
		{"listen address", "config.yaml", `CLC_LISTEN_ADDR: ":8080"`, `CLC_LISTEN_ADDR: ":9090"`, "listens on 9090"},
		{"missing key", "worker.yaml", "key: CLC_SMTP_PASSWORD", "key: CLC_SMTP_PASS", "key CLC_SMTP_PASS of Secret clc-secrets, which does not exist"},
		{"missing ConfigMap", "migrate.yaml", "name: clc-config", "name: clc-configuration", "envFrom ConfigMap clc-configuration does not exist"},
		{"unknown variable", "config.yaml", "  CLC_LOG_LEVEL: info\n", "  CLC_LOG_LEVEL: info\n  CLC_SMTP_TIMEOUTS: 10s\n", "CLC_SMTP_TIMEOUTS is no variable config.Load reads"},
		{"unknown env", "api.yaml", "            - name: GOMEMLIMIT", "            - name: CLC_PORT\n              value: \"8080\"\n            - name: GOMEMLIMIT", "sets CLC_PORT, which config.Load does not read"},
		{"bad value", "config.yaml", `CLC_SMTP_PORT: "587"`, `CLC_SMTP_PORT: smtp`, "CLC_SMTP_PORT"},
		{"dev auth", "secret.yaml", "  CLC_LINK_SECRET: REPLACE_ME\n", "  CLC_LINK_SECRET: REPLACE_ME\n  CLC_AUTH_HS256_SECRET: REPLACE_ME\n", "CLC_AUTH_HS256_SECRET is for the dev stack"},
		{"real secret", "secret.yaml", "CLC_SMTP_PASSWORD: REPLACE_ME", "CLC_SMTP_PASSWORD: hunter2", "CLC_SMTP_PASSWORD is not a REPLACE_ME placeholder"},
		{"service links", "worker.yaml", "      enableServiceLinks: false\n", "", "set enableServiceLinks: false"},
		{"target port", "api.yaml", "targetPort: http", "targetPort: web", "targets web"},
		{"one replica", "api.yaml", "replicas: 2", "replicas: 1", "replicas 1"},
		{"selector", "worker.yaml", "    matchLabels:\n      app.kubernetes.io/name: clc\n      app.kubernetes.io/component: worker\n  strategy:",
			"    matchLabels:\n      app.kubernetes.io/name: clc\n      app.kubernetes.io/component: workers\n  strategy:", "does not select its own pods"},
		{"image", "worker.yaml", "image: ghcr.io/licensecentral/clc:latest", "image: ghcr.io/licensecentral/clc-worker:latest", "has no entry in the kustomization's images"},
		{"command", "worker.yaml", `args: ["worker"]`, `args: ["work"]`, "one clc command"},
		{"phase", "secret.yaml", "    licensecentral.io/apply-phase: migrate\n", "", "Secret/clc-secrets: label it licensecentral.io/apply-phase=migrate"},
		{"unlisted file", "kustomization.yaml", "  - worker.yaml\n", "", "worker.yaml is not in kustomization.yaml's resources"},
		{"listed, no file", "kustomization.yaml", "  - worker.yaml\n", "  - worker.yaml\n  - workers.yaml\n", "lists workers.yaml, which is no manifest"},
		{"kustomization typo", "kustomization.yaml", "images:", "image:", `unknown field "image"`},
		{"ingress exposes metrics", "examples/ingress.yaml", "path: /a\n", "path: /\n", "path / exposes /metrics"},
		{"ingress backend", "examples/ingress.yaml", "name: clc-api\n                port:", "name: clc\n                port:", "no Service clc"},
	} {
		t.Run(c.name, func(t *testing.T) {
			fsys := fstest.MapFS{}
			for p, f := range orig {
				fsys[p] = &fstest.MapFile{Data: f.Data}
			}
			data := string(fsys[c.file].Data)
			broken := strings.Replace(data, c.old, c.new, 1)
			if broken == data {
				t.Fatalf("%s has no %q any more: update this case", c.file, c.old)
			}
			fsys[c.file] = &fstest.MapFile{Data: []byte(broken)}
			b, problems := loadK8s(fsys)
			if b != nil {
				problems = append(problems, checkK8s(b, commands)...)
			}
			report := strings.Join(problems, "\n")
			if !strings.Contains(report, c.want) {
				t.Errorf("want a problem containing %q, got:\n%s", c.want, report)
			}
		})
	}
}

// TestReadmeDeploying keeps the README's commands in step with the manifests: the phase label, the
// namespace, the Job and the Deployments they name, and the example they point to.
func TestReadmeDeploying(t *testing.T) {
	data, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(data), "\n## Deploying\n")
	if !ok {
		t.Fatal(`README.md has no "## Deploying" section`)
	}
	section, _, _ = strings.Cut(section, "\n## ")
	b, problems := loadK8s(os.DirFS(k8sDir))
	if b == nil {
		t.Fatal(problems)
	}
	want := []string{"kubectl apply -k overlay -l " + phaseLabel + "=" + phaseMigrate,
		"kubectl -n " + b.kust.Namespace + " ", "examples/ingress.yaml"}
	for _, m := range b.applied {
		switch m.kind {
		case "Job":
			want = append(want, "job/"+m.meta.GetName())
		case "Deployment":
			want = append(want, "deploy/"+m.meta.GetName())
		}
	}
	for _, w := range want {
		if !strings.Contains(section, w) {
			t.Errorf("README.md's Deploying does not say %q", w)
		}
	}
	if _, err := os.Stat(path.Join(k8sDir, examplesDir, "ingress.yaml")); err != nil {
		t.Error(err)
	}
}
