package features

// openSteps are subject × property sentences lab offers every course
// although the built-in course does not use them: the same properties its
// sentences check, asked of the other subjects that can have them. Lint
// does not report them unused.
func (w *world) openSteps() []stepDef {
	return []stepDef{
		{`^container "([^"]+)" sets ([A-Za-z_][A-Za-z0-9_]*) to "([^"]*)"$`, w.containerSetsEnv,
			`container "lab-app" sets DB_HOST to "lab-mongo:27017/posts"`, []string{"env-mismatch", "not-found"}},
		{`^container "([^"]+)" has the restart policy "([^"]+)"$`, w.containerRestartPolicy,
			`container "lab-app" has the restart policy "always"`, []string{"not-found", "policy-mismatch"}},
		{`^the container of the service "([^"]+)" sets ([A-Za-z_][A-Za-z0-9_]*) to "([^"]*)"$`, w.composeContainerSetsEnv,
			`the container of the service "app" sets DB_HOST to "mongodb:27017/posts"`, []string{"env-mismatch"}},
	}
}

// openExprs is the set of the open sentences' expressions.
func openExprs() map[string]bool {
	out := map[string]bool{}
	for _, d := range (&world{}).openSteps() {
		out[d.Expr] = true
	}
	return out
}
