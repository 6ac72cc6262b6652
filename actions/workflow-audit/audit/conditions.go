package audit

// condSite is one "if:" of a job or step, with what it guards for
// messages ("job \"build\"", "a step of job \"build\"").
type condSite struct {
	val   *scriptVal
	where string
	job   *jobView // nil in composite actions
}

// conditions returns the "if:" values of a workflow's jobs and steps.
func (v *workflowView) conditions() []condSite {
	var out []condSite
	for _, jv := range v.jobs {
		id := jv.j.id.value
		if jv.j.ast != nil {
			if c := v.str(jv.j.ast.If); c != nil {
				out = append(out, condSite{val: c, where: "job " + quoteName(id), job: jv})
			}
		}
		for _, sv := range jv.steps {
			if sv.cond != nil {
				out = append(out, condSite{val: sv.cond, where: "a step of job " + quoteName(id), job: jv})
			}
		}
	}
	return out
}

// actionConditions returns the "if:" values of a composite action's steps.
func actionConditions(steps []*stepView) []condSite {
	var out []condSite
	for _, sv := range steps {
		if sv.cond != nil {
			out = append(out, condSite{val: sv.cond, where: "a step of the action"})
		}
	}
	return out
}

func quoteName(s string) string { return `"` + s + `"` }

// stepSite is a step with what the rules need around it.
type stepSite struct {
	sv  *stepView
	ix  *srcIndex
	job *jobView      // nil in composite actions
	v   *workflowView // nil in composite actions
}

// workflowSteps returns every step of a workflow's jobs.
func (v *workflowView) steps() []stepSite {
	var out []stepSite
	for _, jv := range v.jobs {
		for _, sv := range jv.steps {
			out = append(out, stepSite{sv: sv, ix: v.ix, job: jv, v: v})
		}
	}
	return out
}

// actionSteps returns every step of a composite action.
func actionSteps(a *actionFile) []stepSite {
	if a.root == nil {
		return nil
	}
	ix := actionIndex(a)
	var out []stepSite
	for _, sv := range newActionSteps(a) {
		out = append(out, stepSite{sv: sv, ix: ix})
	}
	return out
}

// allSteps returns the steps of a parsed workflow or action (nil for
// anything else).
func allSteps(m any) []stepSite {
	switch m := m.(type) {
	case *workflowFile:
		if m.ast == nil {
			return nil
		}
		return newWorkflowView(m).steps()
	case *actionFile:
		return actionSteps(m)
	}
	return nil
}

// scope returns the expression scope of the step.
func (s stepSite) scope() *exprScope {
	if s.v != nil {
		return s.v.scope(s.job, s.sv)
	}
	return actionScope(s.sv)
}
