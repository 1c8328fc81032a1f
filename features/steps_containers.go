package features

// Steps for Lesson 2: containers.
func (w *world) containerSteps() []stepDef {
	return nil
}
