package features

import (
	"context"
	"time"

	"github.com/lab-workshop/lab/sandbox"
)

// Steps for lesson 5: an app and its database run together with Docker
// Compose. The file checks read the learner's Compose file the way docker
// compose does; the live checks find a project's containers by the labels
// Compose gives them.
func (w *world) composeSteps() []stepDef {
	return []stepDef{
		{`^the Compose file "([^"]+)" in the workspace is valid for the project "([^"]+)"$`, w.composeFileValid,
			`the Compose file "compose/compose.yaml" in the workspace is valid for the project "lab"`, []string{"invalid-file", "name-mismatch", "not-found"}},
		{`^its service "([^"]+)" publishes container port (\d+) on host port (\d+)$`, w.composeFilePublishes,
			`its service "app" publishes container port 3000 on host port 3000`, []string{"not-found", "port-mismatch", "port-not-published"}},
		{`^its service "([^"]+)" sets ([A-Za-z_][A-Za-z0-9_]*) to "([^"]+)"$`, w.composeFileSetsEnv,
			`its service "app" sets DB_HOST to "mongodb:27017/posts"`, []string{"env-mismatch", "not-found"}},
		{`^its service "([^"]+)" depends on the service "([^"]+)"$`, w.composeFileDependsOn,
			`its service "app" depends on the service "mongodb"`, []string{"dependency-missing", "not-found"}},
		{`^its service "([^"]+)" has the restart policy "([^"]+)"$`, w.composeFileRestart,
			`its service "app" has the restart policy "always"`, []string{"not-found", "policy-mismatch"}},
		{`^its service "([^"]+)" runs the pinned image "([^"]+)"$`, w.composeFileImage,
			`its service "mongodb" runs the pinned image "mongo:7.0"`, []string{"image-differs", "not-found"}},
		{`^its service "([^"]+)" keeps (/\S*) in a named volume$`, w.composeFileNamedVolume,
			`its service "mongodb" keeps /data/db in a named volume`, []string{"not-found", "volume-mismatch"}},
		{`^that named volume still exists$`, w.composeVolumeExists,
			`that named volume still exists`, []string{"not-found"}},
		{`^the Compose project "([^"]+)" runs one container for each of the services "([^"]+)" and "([^"]+)"$`, w.composeProjectRuns,
			`the Compose project "lab" runs one container for each of the services "app" and "mongodb"`, []string{"count-mismatch", "not-found", "not-running", "port-taken", "restart-loop"}},
		{`^the containers of the services "([^"]+)" and "([^"]+)" share a network$`, w.composeShareNetwork,
			`the containers of the services "app" and "mongodb" share a network`, []string{"no-network"}},
		{`^the container of the service "([^"]+)" publishes container port (\d+) on host port (\d+)$`, w.composeContainerPublishes,
			`the container of the service "app" publishes container port 3000 on host port 3000`, []string{"port-mismatch", "port-not-published"}},
		{`^(http://\S+) answers with the home page served by the container of the service "([^"]+)"$`, w.composeHomePage,
			`http://localhost:3000/ answers with the home page served by the container of the service "app"`, []string{"no-answer", "page-differs", "port-taken"}},
		{`^the lab reads the collection "([^"]+)" of the database "([^"]+)" of the service "([^"]+)"$`, w.composeReadPosts,
			`the lab reads the collection "posts" of the database "posts" of the service "mongodb"`, []string{"no-answer", "no-network", "not-found"}},
		{`^it holds at least (\d+) documents?$`, w.composePostsAtLeast,
			`it holds at least 1 document`, []string{"data-missing"}},
		{`^(http://\S+) lists exactly those documents$`, w.composeListsPosts,
			`http://localhost:3000/posts?format=json lists exactly those documents`, []string{"page-differs"}},
		{`^the container of the service "([^"]+)" has the restart policy "([^"]+)"$`, w.composeContainerRestart,
			`the container of the service "app" has the restart policy "always"`, []string{"policy-mismatch"}},
		{`^the lab crashes the container of the service "([^"]+)"$`, w.composeCrash,
			`the lab crashes the container of the service "app"`, []string{"not-running"}},
		{`^it runs again within (\d+) seconds of the crash$`, w.composeBackWithin,
			`it runs again within 20 seconds of the crash`, []string{"not-healed"}},
		{`^(http://\S+) answers with its home page again within (\d+) seconds of the crash$`, w.composeAnswersAgain,
			`http://localhost:3000/ answers with its home page again within 20 seconds of the crash`, []string{"no-answer", "page-differs", "port-taken"}},
		{`^no container of the Compose project "([^"]+)" is left from before "docker compose down"$`, w.composeTakenDown,
			`no container of the Compose project "lab" is left from before "docker compose down"`, []string{"left-behind", "not-recreated"}},
	}
}

// composeState is what the steps of one lesson 5 scenario share.
type composeState struct {
	rel     string // the Compose file, relative to the workspace
	file    *sandbox.ComposeFile
	project string
	volume  string // the Docker volume a file check settled on

	// The running container of each service, by service name.
	services map[string]sandbox.ContainerDetails

	// What the lab read from the database: the documents of coll in db, and
	// how many documents the same collection holds in other databases.
	db, coll string
	docs     []sandbox.MongoDocument
	others   map[string]int

	crash *composeCrash
}

// composeCrash is the container the lab crashed, as it was before, and
// the crash.
type composeCrash struct {
	before sandbox.ContainerDetails
	crash  sandbox.Crash
}

// composeOf returns the scenario's compose state, creating it on first use.
func composeOf(ctx context.Context) (context.Context, *composeState) {
	return scenarioState[composeState](ctx)
}

// composeEngineErr turns a lost engine into an environment error; any
// other error stays what it is.
func composeEngineErr(err error) error {
	if sandbox.IsUnreachable(err) {
		return &EnvError{Err: err}
	}
	return err
}

// Settling times: a server that has just started (or restarted) answers
// within these, or the check reports what it saw last.
const (
	composeSettle     = 10 * time.Second
	composePollEvery  = 100 * time.Millisecond
	composeHTTPEvery  = 200 * time.Millisecond
	composeHealWithin = 30 * time.Second
)
