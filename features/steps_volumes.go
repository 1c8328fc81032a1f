package features

// Steps for Lesson 4: volumes.
func (w *world) volumeSteps() []stepDef {
	return nil
}
