"""Instagram comments as a channel: the reader (`client`) and its stand-in mode (`standin`)."""
