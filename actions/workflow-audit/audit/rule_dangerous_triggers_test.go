package audit

import (
	"testing"

	"github.com/hubgates/hub/shared/finding"
)

// privilegedWorkflow is a workflow on trigger whose job "build" has the
// given job-level YAML (permissions, env, if) and steps. The first step is
// on line 6 plus the number of lines in jobExtra.
func privilegedWorkflow(trigger, jobExtra, steps string) string {
	return "on: " + trigger + "\njobs:\n  build:\n    runs-on: ubuntu-24.04\n" + jobExtra + "    steps:\n" + steps
}

const (
	readOnly    = "    permissions:\n      contents: read\n"
	checkoutSHA = "      - uses: actions/checkout@" + testSHA + "\n"
)

func TestDangerousTriggers(t *testing.T) {
	tests := []struct {
		name    string
		trigger string
		job     string
		steps   string
		want    *want
	}{
		{"head sha without permissions", "pull_request_target", "",
			checkoutSHA + "        with:\n          ref: ${{ github.event.pull_request.head.sha }}\n      - run: npm ci\n",
			&want{finding.Critical, 8, 16, `job "build" runs on pull_request_target and checks out github.event.pull_request.head.sha (ref: ${{ github.event.pull_request.head.sha }}); line 9 then runs ` + "`npm ci`" + `, while neither the job nor the workflow sets permissions`}},
		{"head ref with a read-only token", "pull_request_target", readOnly,
			checkoutSHA + "        with:\n          ref: ${{ github.event.pull_request.head.ref }}\n",
			&want{finding.High, 10, 16, "its token is read-only and it uses no secrets"}},
		{"secrets make it critical", "pull_request_target", readOnly,
			checkoutSHA + "        with:\n          ref: ${{ github.head_ref }}\n      - run: make publish\n        env:\n          TOKEN: ${{ secrets.NPM_TOKEN }}\n",
			&want{finding.Critical, 10, 16, "the job can read secrets.npm_token"}},
		{"id-token write makes it critical", "pull_request_target", "    permissions:\n      contents: read\n      id-token: write\n",
			checkoutSHA + "        with:\n          ref: ${{ github.event.pull_request.head.sha }}\n",
			&want{finding.Critical, 11, 16, "the job's token has id-token: write"}},
		{"workflow write-all", "pull_request_target\npermissions: write-all", "",
			checkoutSHA + "        with:\n          ref: ${{ github.event.pull_request.head.sha }}\n",
			&want{finding.Critical, 9, 16, "the workflow's token has write-all"}},
		{"refs/pull merge ref", "pull_request_target", readOnly,
			checkoutSHA + "        with:\n          ref: refs/pull/${{ github.event.number }}/merge\n",
			&want{finding.High, 10, 16, "the pull request ref refs/pull/"}},
		{"format of a pull ref", "issue_comment", readOnly,
			checkoutSHA + "        with:\n          ref: ${{ format('refs/pull/{0}/head', github.event.issue.number) }}\n",
			&want{finding.High, 10, 16, "runs on issue_comment"}},
		{"head repository", "pull_request_target", readOnly,
			checkoutSHA + "        with:\n          repository: ${{ github.event.pull_request.head.repo.full_name }}\n",
			&want{finding.High, 10, 23, "(repository: ${{ github.event.pull_request.head.repo.full_name }})"}},
		{"issue_comment with a looked-up head", "issue_comment", readOnly,
			"      - id: pr\n        run: echo \"sha=$(gh pr view ${{ github.event.issue.number }} --json headRefOid -q .headRefOid)\" >> \"$GITHUB_OUTPUT\"\n" +
				checkoutSHA + "        with:\n          ref: ${{ steps.pr.outputs.sha }}\n",
			&want{finding.High, 12, 16, "checks out steps.pr.outputs.sha"}},
		{"gh pr checkout", "issue_comment", readOnly,
			"      - run: |\n          gh pr checkout ${{ github.event.issue.number }}\n          make test\n",
			&want{finding.High, 9, 11, "runs `gh pr checkout ${{ github.event.issue.number }}`; line 10 then runs `make test`"}},
		{"git fetch of the pull ref", "pull_request_target", readOnly,
			"      - run: git fetch origin pull/${{ github.event.number }}/head:pr && git checkout pr\n",
			&want{finding.High, 8, 14, "which fetches the pull request ref pull/"}},
		{"git checkout of GITHUB_HEAD_REF", "pull_request_target", readOnly,
			"      - run: git checkout \"$GITHUB_HEAD_REF\"\n",
			&want{finding.High, 8, 14, "fetches $GITHUB_HEAD_REF"}},
		{"git checkout of an env var set from the head", "pull_request_target", readOnly + "    env:\n      HEAD: ${{ github.event.pull_request.head.sha }}\n",
			"      - run: git -C src checkout \"${HEAD}\"\n",
			&want{finding.High, 10, 14, "fetches $HEAD (set from github.event.pull_request.head.sha)"}},
		{"workflow_run head sha", "workflow_run", readOnly,
			checkoutSHA + "        with:\n          ref: ${{ github.event.workflow_run.head_sha }}\n      - run: ./gradlew build\n",
			&want{finding.High, 10, 16, "line 11 then runs `./gradlew build`"}},
		{"artifact executed", "workflow_run", readOnly,
			"      - uses: actions/download-artifact@" + testSHA + "\n        with:\n          run-id: ${{ github.event.workflow_run.id }}\n          github-token: ${{ github.token }}\n      - run: bash ./artifact/post.sh\n",
			&want{finding.High, 12, 14, "runs `bash ./artifact/post.sh` after step 1 downloads artifacts of run ${{ github.event.workflow_run.id }}"}},
		{"dawidd6 artifact then a local action", "workflow_run", readOnly,
			"      - uses: dawidd6/action-download-artifact@" + testSHA + "\n      - uses: ./.github/actions/report\n",
			&want{finding.High, 9, 15, "runs the local action ./.github/actions/report after step 1 downloads another workflow run's artifacts"}},
		{"github-script artifact then npm", "workflow_run", readOnly,
			"      - uses: actions/github-script@" + testSHA + "\n        with:\n          script: |\n            const a = await github.rest.actions.downloadArtifact({owner: 'o', repo: 'r', artifact_id: 1, archive_format: 'zip'})\n" +
				"      - run: |\n          unzip pr.zip\n          npm ci\n",
			&want{finding.High, 14, 11, "runs `npm ci` after step 1 downloads another workflow run's artifacts with github-script"}},
		{"gh run download then make", "workflow_run", readOnly,
			"      - run: gh run download ${{ github.event.workflow_run.id }} -n dist\n      - run: make -C dist\n",
			&want{finding.High, 9, 14, "runs `make -C dist`"}},

		{"artifact unzipped over a checkout", "workflow_run", readOnly,
			checkoutSHA + "        with:\n          persist-credentials: false\n" +
				"      - uses: dawidd6/action-download-artifact@" + testSHA + "\n      - run: |\n          unzip -o coverage.zip\n          gh pr comment 1 --body-file comment.md\n",
			&want{finding.High, 13, 11, "extracts `unzip -o coverage.zip` into the workspace over the checked-out repository"}},
		{"artifact untarred over a checkout", "workflow_run", readOnly,
			checkoutSHA + "      - run: gh run download ${{ github.event.workflow_run.id }}\n      - run: tar xzf site.tgz\n",
			&want{finding.High, 10, 14, "extracts `tar xzf site.tgz`"}},

		// Near misses.
		{"artifact unzipped without a checkout", "workflow_run", readOnly,
			"      - uses: dawidd6/action-download-artifact@" + testSHA + "\n      - run: unzip pr.zip && cat NR\n", nil},
		{"artifact extracted elsewhere", "workflow_run", readOnly,
			checkoutSHA + "      - uses: dawidd6/action-download-artifact@" + testSHA + "\n      - run: |\n          unzip pr.zip -d \"$RUNNER_TEMP/pr\"\n          tar -xzf site.tgz -C \"$RUNNER_TEMP\"\n          tar --extract --file=x.tar --directory=/tmp/x\n", nil},
		{"labeler only", "pull_request_target", "    permissions:\n      contents: read\n      pull-requests: write\n",
			"      - uses: actions/labeler@" + testSHA + "\n", nil},
		{"comment only", "pull_request_target", "    permissions:\n      pull-requests: write\n",
			"      - uses: actions/github-script@" + testSHA + "\n        with:\n          script: |\n            await github.rest.issues.createComment({...context.repo, issue_number: context.issue.number, body: 'thanks'})\n", nil},
		{"checkout of the base", "pull_request_target", "",
			checkoutSHA + "      - run: npm ci\n", nil},
		{"checkout of the base sha", "pull_request_target", "",
			checkoutSHA + "        with:\n          ref: ${{ github.event.pull_request.base.sha }}\n      - run: npm ci\n", nil},
		{"checkout of github.sha", "pull_request_target", "",
			checkoutSHA + "        with:\n          ref: ${{ github.sha }}\n", nil},
		{"head checkout on pull_request", "pull_request", "",
			checkoutSHA + "        with:\n          ref: ${{ github.event.pull_request.head.sha }}\n      - run: npm ci\n", nil},
		{"same-repository guard on the job", "pull_request_target",
			"    if: github.event.pull_request.head.repo.full_name == github.repository && github.actor != 'x'\n",
			checkoutSHA + "        with:\n          ref: ${{ github.event.pull_request.head.sha }}\n", nil},
		{"fork guard on the step", "pull_request_target", "",
			checkoutSHA + "        if: ${{ !github.event.pull_request.head.repo.fork }}\n        with:\n          ref: ${{ github.event.pull_request.head.sha }}\n", nil},
		{"merged guard", "{pull_request_target: {types: [closed]}}", "    if: github.event.pull_request.merged == true\n",
			checkoutSHA + "        with:\n          ref: ${{ github.event.pull_request.merge_commit_sha }}\n", nil},
		{"workflow_run from pushes only", "workflow_run", "    if: github.event.workflow_run.event == 'push'\n",
			checkoutSHA + "        with:\n          ref: ${{ github.event.workflow_run.head_sha }}\n", nil},
		{"or is not a guard", "pull_request_target",
			"    if: github.event.pull_request.head.repo.full_name == github.repository || true\n",
			checkoutSHA + "        with:\n          ref: ${{ github.event.pull_request.head.sha }}\n",
			&want{finding.Critical, 9, 16, "checks out"}},
		{"workflow_run metadata only", "workflow_run", readOnly,
			"      - run: echo \"${{ github.event.workflow_run.conclusion }} ${{ github.event.workflow_run.id }}\"\n", nil},
		{"own run's artifacts", "workflow_run", readOnly,
			"      - uses: actions/download-artifact@" + testSHA + "\n        with:\n          name: dist\n      - run: ./dist/install.sh\n", nil},
		{"artifact read as data", "workflow_run", readOnly,
			"      - uses: actions/download-artifact@" + testSHA + "\n        with:\n          run-id: ${{ github.event.workflow_run.id }}\n          github-token: ${{ github.token }}\n" +
				"      - run: |\n          unzip -d \"$RUNNER_TEMP/pr\" pr.zip\n          n=$(cat \"$RUNNER_TEMP/pr/NR\")\n          echo \"PR $n\"\n", nil},
		{"step output ref on workflow_run", "workflow_run", readOnly,
			checkoutSHA + "        with:\n          ref: ${{ steps.tag.outputs.release }}\n", nil},
		{"head sha through a step output on workflow_run", "workflow_run", readOnly,
			"      - id: pr\n        run: echo \"head_sha=$(gh api repos/o/r/pulls/1 --jq .head.sha)\" >> \"$GITHUB_OUTPUT\"\n" +
				checkoutSHA + "        with:\n          ref: ${{ steps.pr.outputs.head_sha }}\n",
			&want{finding.High, 12, 16, "checks out steps.pr.outputs.head_sha"}},
		{"head ref through a matrix entry", "pull_request_target", readOnly,
			checkoutSHA + "        with:\n          ref: ${{ matrix.ref }}\n    strategy:\n      matrix:\n        ref: ['${{ github.event.pull_request.head.sha }}']\n",
			&want{finding.High, 10, 16, "matrix.ref (a matrix entry set from github.event.pull_request.head.sha)"}},
		{"base ref through a matrix entry", "pull_request_target", readOnly,
			checkoutSHA + "        with:\n          ref: ${{ matrix.ref }}\n    strategy:\n      matrix:\n        ref: [main, '${{ github.event.pull_request.base.ref }}']\n", nil},
		{"git fetch of the base", "pull_request_target", readOnly,
			"      - run: |\n          git fetch origin ${{ github.event.pull_request.base.ref }}\n          git diff --stat FETCH_HEAD\n", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := scanTree(t, map[string]string{".github/workflows/ci.yml": privilegedWorkflow(tt.trigger, tt.job, tt.steps)}, Options{})
			checkOne(t, only(r.Findings, RuleInvalidWorkflow), nil)
			checkOne(t, only(r.Findings, RuleDangerousTriggers), tt.want)
		})
	}
}

func TestDangerousTriggersEveryJob(t *testing.T) {
	wf := "on: pull_request_target\npermissions:\n  contents: read\njobs:\n" +
		"  a:\n    runs-on: ubuntu-24.04\n    steps:\n" + checkoutSHA + "        with:\n          ref: ${{ github.head_ref }}\n" +
		"  b:\n    runs-on: ubuntu-24.04\n    steps:\n      - run: gh pr checkout 1\n" +
		"  c:\n    runs-on: ubuntu-24.04\n    steps:\n" + checkoutSHA
	r := scanTree(t, map[string]string{".github/workflows/ci.yml": wf}, Options{})
	got := only(r.Findings, RuleDangerousTriggers)
	if len(got) != 2 || got[0].Line != 10 || got[1].Line != 14 {
		t.Fatalf("want findings on lines 10 and 14:%s", dump(got))
	}
}

func TestGuarded(t *testing.T) {
	yes := []string{
		"github.event.pull_request.head.repo.full_name == github.repository",
		"${{ github.repository == github.event.pull_request.head.repo.full_name }}",
		"github.event.pull_request.head.repo.full_name == 'octo/repo' && success()",
		"github.event.pull_request.head.repo.fork == false",
		"!github.event.pull_request.head.repo.fork",
		"github.event.workflow_run.head_repository.fork != true",
		"github.event.pull_request.merged",
		"always() && github.event.pull_request.merged == true",
		"github.event.workflow_run.event == 'schedule'",
	}
	no := []string{
		"", "always()", "github.event.pull_request.head.repo.full_name != github.repository",
		"github.event.pull_request.head.repo.fork == true",
		"github.event.pull_request.merged == false",
		"github.event.workflow_run.event == 'pull_request'",
		"github.event.workflow_run.event == 'pull_request_target'",
		"github.event.pull_request.head.repo.fork == false || github.actor == 'x'",
		"contains(github.event.pull_request.labels.*.name, 'safe to test')",
		"github.event.comment.author_association == 'MEMBER'",
	}
	for _, c := range yes {
		if !guarded(c) {
			t.Errorf("guarded(%q) = false", c)
		}
	}
	for _, c := range no {
		if guarded(c) {
			t.Errorf("guarded(%q) = true", c)
		}
	}
}

// TestDangerousTriggersAuditor: the auditor persona lists every
// pull_request_target and workflow_run workflow, as zizmor does.
func TestDangerousTriggersAuditor(t *testing.T) {
	runRuleCases(t, RuleDangerousTriggers, []ruleCase{
		{name: "labeler on pull_request_target, auditor", opts: Options{Persona: PersonaAuditor},
			src:  lines("on: pull_request_target", "permissions: {}", "jobs:", "  a:", "    runs-on: ubuntu-latest", "    steps:", "      - run: echo labels"),
			want: []want{{finding.Medium, 1, 1, "this workflow runs on pull_request_target"}}},
		{name: "labeler on pull_request_target, regular",
			src: lines("on: pull_request_target", "permissions: {}", "jobs:", "  a:", "    runs-on: ubuntu-latest", "    steps:", "      - run: echo labels")},
		{name: "issue_comment, auditor", opts: Options{Persona: PersonaAuditor},
			src: lines("on: issue_comment", "permissions: {}", "jobs:", "  a:", "    runs-on: ubuntu-latest", "    steps:", "      - run: echo hi")},
	})
}
