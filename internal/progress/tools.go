package progress

import "slices"

// CheckTools records that the tools for lesson were checked and reports
// whether this was the first time, when the caller should check them.
func (c *CourseState) CheckTools(lesson string) (first bool) {
	if slices.Contains(c.ToolsChecked, lesson) {
		return false
	}
	c.ToolsChecked = append(c.ToolsChecked, lesson)
	return true
}
