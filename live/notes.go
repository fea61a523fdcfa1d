package live

import "fmt"

// Notes are what the report says about how the run went, beyond the
// frames: an interruption, a capture cut at maxFrames (the cap the run
// was given), kernel drops, stimuli that could not be sent.
func (o *Outcome) Notes(maxFrames int) []string {
	var notes []string
	if o.Interrupted {
		notes = append(notes, "the run was interrupted before it finished; the report covers what happened until then")
	}
	if o.ReleasedOnInterrupt {
		notes = append(notes, "on interruption, a Release was sent for what the exchange held")
	}
	if o.FramesCapped > 0 {
		notes = append(notes, fmt.Sprintf("capture capped at %d frames; %d more were not recorded", maxFrames, o.FramesCapped))
	}
	if o.KernelDrops > 0 {
		notes = append(notes, fmt.Sprintf("the kernel dropped %d frames during the capture (flood?)", o.KernelDrops))
	}
	if o.SendErrors > 0 {
		notes = append(notes, fmt.Sprintf("%d stimuli could not be sent: %v", o.SendErrors, o.LastError))
	}
	return notes
}
