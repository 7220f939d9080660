"""The maritime picture: AIS decoding, tracks, region zones and gates, event detectors."""
