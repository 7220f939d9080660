"""Input: decoding and validating what partners and sensors send to the hub."""
