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
