package features

// Steps for Lesson 3: image builds.
func (w *world) dockerfileSteps() []stepDef {
	return nil
}
