package audit

import "github.com/hubgates/hub/shared/finding"

// ruleSet lists every rule Scan runs. Add a rule by adding a rule_<id>.go
// file and one line here.
var ruleSet = []rule{
	adhocPackagesRule{},
	anonymousDefinitionRule{},
	archivedUsesRule{},
	artipackedRule{},
	botConditionsRule{},
	cachePoisoningRule{},
	dangerousTriggersRule{},
	dependabotActionsCoverageRule{},
	dependabotCooldownRule{},
	dependabotExecutionRule{},
	dependabotGroupsRule{},
	excessivePermissionsRule{},
	forbiddenUsesRule{},
	githubEnvRule{},
	impostorCommitRule{},
	insecureCommandsRule{},
	insecureURLSchemeRule{},
	invalidWorkflowRule{},
	knownCompromisedRule{},
	knownVulnerableActionsRule{},
	misfeatureRule{},
	missingConcurrencyRule{},
	obfuscationRule{},
	patUsageRule{},
	refConfusionRule{},
	refVersionMismatchRule{},
	renovateActionsCoverageRule{},
	renovateCooldownRule{},
	renovatePinDigestsRule{},
	secretsInheritRule{},
	secretsOutsideEnvRule{},
	selfHostedUntrustedRule{},
	selfRepositoryRule{},
	staleActionRefsRule{},
	superfluousActionsRule{},
	templateInjectionRule{},
	typosquatUsesRule{},
	undocumentedPermissionsRule{},
	unpinnedImagesRule{},
	unpinnedToolsRule{},
	unpinnedUsesRule{},
	unredactedSecretsRule{},
	unsoundConditionRule{},
	unsoundContainsRule{},
	useTrustedPublishingRule{},
}

// Rules describes every rule the scan can report, in ID order, for SARIF
// output and documentation.
var Rules = func() []finding.Rule {
	rs := make([]finding.Rule, len(ruleSet))
	for i, r := range ruleSet {
		rs[i] = r.meta()
	}
	return rs
}()

// The rule IDs.
const (
	RuleInvalidWorkflow = "invalid-workflow"
	RuleUnpinnedImages  = "unpinned-images"
	RuleUnpinnedUses    = "unpinned-uses"
)

// The IDs of the permission, credential, cache, runner and advisory rules.
const (
	RuleExcessivePermissions = "excessive-permissions"
	RuleSecretsInherit       = "secrets-inherit"
	RulePATUsage             = "pat-usage"
	RuleArtipacked           = "artipacked"
	RuleCachePoisoning       = "cache-poisoning"
	RuleSelfHostedUntrusted  = "self-hosted-untrusted"
	RuleMissingConcurrency   = "missing-concurrency"
	RuleKnownCompromised     = "known-compromised"
)

// The IDs of the injection and privileged-trigger rules.
const (
	RuleDangerousTriggers = "dangerous-triggers"
	RuleTemplateInjection = "template-injection"
	RuleGitHubEnv         = "github-env"
	RuleInsecureCommands  = "insecure-commands"
)

const helpBase = "https://github.com/hubgates/hub/blob/main/actions/workflow-audit/README.md#"

// The IDs of the condition and expression rules.
const (
	RuleBotConditions    = "bot-conditions"
	RuleUnsoundContains  = "unsound-contains"
	RuleUnsoundCondition = "unsound-condition"
	RuleObfuscation      = "obfuscation"
)

// The IDs of the rules about secrets, publishing and permissions.
const (
	RuleUseTrustedPublishing    = "use-trusted-publishing"
	RuleUnredactedSecrets       = "unredacted-secrets"
	RuleSecretsOutsideEnv       = "secrets-outside-env"
	RuleUndocumentedPermissions = "undocumented-permissions"
	RuleForbiddenUses           = "forbidden-uses"
)

// The IDs of the rules about which actions and tools are used.
const (
	RuleTyposquatUses       = "typosquat-uses"
	RuleSuperfluousActions  = "superfluous-actions"
	RuleMisfeature          = "misfeature"
	RuleUnpinnedTools       = "unpinned-tools"
	RuleAdhocPackages       = "adhoc-packages"
	RuleInsecureURLScheme   = "insecure-url-scheme"
	RuleSelfRepository      = "self-repository"
	RuleAnonymousDefinition = "anonymous-definition"
)

// The IDs of the Dependabot rules.
const (
	RuleDependabotCooldown  = "dependabot-cooldown"
	RuleDependabotExecution = "dependabot-execution"

	RuleDependabotActionsCoverage = "dependabot-actions-coverage"
	RuleDependabotGroups          = "dependabot-groups"
)

// The IDs of the Renovate rules.
const (
	RuleRenovatePinDigests      = "renovate-pin-digests"
	RuleRenovateCooldown        = "renovate-cooldown"
	RuleRenovateActionsCoverage = "renovate-actions-coverage"
)

// The IDs of the online rules, which need a GitHub token.
const (
	RuleArchivedUses           = "archived-uses"
	RuleImpostorCommit         = "impostor-commit"
	RuleKnownVulnerableActions = "known-vulnerable-actions"
	RuleRefConfusion           = "ref-confusion"
	RuleRefVersionMismatch     = "ref-version-mismatch"
	RuleStaleActionRefs        = "stale-action-refs"
)
