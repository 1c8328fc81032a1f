package progress

import "testing"

func TestCheckToolsOncePerLesson(t *testing.T) {
	dir := t.TempDir()
	s := Open(dir)
	var firsts []bool
	for _, lesson := range []string{"kind", "kind", "compose", "kind"} {
		if err := s.Update(func(st *State) error {
			firsts = append(firsts, st.Course("c").CheckTools(lesson))
			return nil
		}); err != nil {
			t.Fatal(err)
		}
	}
	want := []bool{true, false, true, false}
	for i := range want {
		if firsts[i] != want[i] {
			t.Errorf("check %d: got first=%v, want %v (every: %v)", i, firsts[i], want[i], firsts)
		}
	}
}
