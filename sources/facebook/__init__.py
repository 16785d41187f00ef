"""Facebook Page posts and their comments as a channel: the reader (`client`); its stand-in is `sources.standin`."""
