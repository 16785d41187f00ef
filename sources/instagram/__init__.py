"""Instagram comments as a channel: the reader (`client`); its stand-in mode lives in `sources.standin.instagram`."""
