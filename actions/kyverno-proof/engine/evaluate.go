package main

import (
	"context"
	"encoding/json"
	"fmt"

	kyvernov1 "github.com/kyverno/kyverno/api/kyverno/v1"
	kyvernov2 "github.com/kyverno/kyverno/api/kyverno/v2"
	"github.com/kyverno/kyverno/pkg/config"
	"github.com/kyverno/kyverno/pkg/engine"
	"github.com/kyverno/kyverno/pkg/engine/adapters"
	engineapi "github.com/kyverno/kyverno/pkg/engine/api"
	"github.com/kyverno/kyverno/pkg/engine/factories"
	"github.com/kyverno/kyverno/pkg/engine/jmespath"
	"github.com/kyverno/kyverno/pkg/engine/policycontext"
	"github.com/kyverno/kyverno/pkg/exceptions"
	imageverifycache "github.com/kyverno/kyverno/pkg/image/verification/cache"
	engineutils "github.com/kyverno/kyverno/pkg/utils/engine"
	"github.com/kyverno/sdk/extensions/regcreds"
	"github.com/kyverno/sdk/extensions/registryclient"
	admissionv1 "k8s.io/api/admission/v1"
	authenticationv1 "k8s.io/api/authentication/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
)

// noExceptions is a PolicyException lister with none: the proof is about
// the policies as they stand, and an exception is a hole it would report
// separately.
type noExceptions struct{}

func (noExceptions) List(labels.Selector) ([]*kyvernov2.PolicyException, error) { return nil, nil }

// decodePolicy reads a ClusterPolicy or a Policy.
func decodePolicy(obj map[string]any) (kyvernov1.PolicyInterface, error) {
	b, err := json.Marshal(obj)
	if err != nil {
		return nil, err
	}
	switch obj["kind"] {
	case "ClusterPolicy":
		var p kyvernov1.ClusterPolicy
		if err := json.Unmarshal(b, &p); err != nil {
			return nil, err
		}
		return &p, nil
	case "Policy":
		var p kyvernov1.Policy
		if err := json.Unmarshal(b, &p); err != nil {
			return nil, err
		}
		return &p, nil
	}
	return nil, fmt.Errorf("kind %v is not ClusterPolicy or Policy", obj["kind"])
}

// newEngine builds Kyverno's engine as its admission controller does,
// with a registry client whose every connection goes to reg.
func newEngine(reg *fakeRegistry) (engineapi.Engine, jmespath.Interface, config.Configuration) {
	// The registry client takes its transport from here when it is made.
	regcreds.DefaultTransport = reg.transport
	rclient := registryclient.New()
	cfg := config.NewDefaultConfiguration(false)
	jp := jmespath.New(cfg)
	isCluster := false
	eng := engine.NewEngine(
		cfg,
		jp,
		nil,
		factories.DefaultRegistryClientFactory(adapters.RegistryClient(rclient), nil),
		imageverifycache.DisabledImageVerifyCache(),
		factories.DefaultContextLoaderFactory(nil),
		exceptions.New(noExceptions{}),
		&isCluster,
	)
	return eng, jp, cfg
}

var podGVK = schema.GroupVersionKind{Version: "v1", Kind: "Pod"}

// admit answers one probe as Kyverno's admission webhooks would: image
// verification first, then validation, and the request is blocked when a
// response has an enforced failure, or an error under failurePolicy Fail.
func admit(ctx context.Context, eng engineapi.Engine, jp jmespath.Interface, cfg config.Configuration, policies []kyvernov1.PolicyInterface, p probe, namespace string) (ProbeResult, error) {
	res := ProbeResult{Name: p.name, Description: p.description, MustBe: p.mustBe, Image: p.image, Verdict: "admitted"}
	raw, err := json.Marshal(p.pod(namespace))
	if err != nil {
		return res, err
	}
	user := authenticationv1.UserInfo{Username: "hub-probe", Groups: []string{"system:authenticated"}}
	req := admissionv1.AdmissionRequest{
		UID:       types.UID("hub-probe-" + p.name),
		Kind:      metav1.GroupVersionKind{Version: "v1", Kind: "Pod"},
		Resource:  metav1.GroupVersionResource{Version: "v1", Resource: "pods"},
		Name:      "hub-probe-" + p.name,
		Namespace: namespace,
		Operation: admissionv1.Create,
		UserInfo:  user,
		Object:    runtime.RawExtension{Raw: raw},
	}
	for _, pol := range policies {
		var responses []engineapi.EngineResponse
		newContext := func() (*policycontext.PolicyContext, error) {
			pc, err := policycontext.NewPolicyContextFromAdmissionRequest(jp, req, kyvernov2.RequestInfo{AdmissionUserInfo: user}, podGVK, cfg)
			if err != nil {
				return nil, fmt.Errorf("probe %s: %w", p.name, err)
			}
			return pc.WithPolicy(pol), nil
		}
		if pol.GetSpec().HasVerifyImages() {
			pc, err := newContext()
			if err != nil {
				return res, err
			}
			r, _ := eng.VerifyAndPatchImages(ctx, pc)
			responses = append(responses, r)
		}
		if pol.GetSpec().HasValidate() {
			pc, err := newContext()
			if err != nil {
				return res, err
			}
			responses = append(responses, eng.Validate(ctx, pc))
		}
		failurePolicy := pol.GetSpec().GetFailurePolicy(ctx)
		for _, r := range responses {
			blocks := engineutils.BlockRequest(r, failurePolicy)
			if blocks {
				res.Verdict = "denied"
			}
			for _, rr := range r.PolicyResponse.Rules {
				if rr.Status() == engineapi.RuleStatusSkip {
					continue
				}
				out := RuleResult{Policy: pol.GetName(), Rule: rr.Name(), Status: string(rr.Status()), Message: rr.Message()}
				res.Rules = append(res.Rules, out)
				if blocks && (rr.Status() == engineapi.RuleStatusFail || rr.Status() == engineapi.RuleStatusError) {
					res.By = append(res.By, out)
				}
			}
		}
	}
	return res, nil
}
