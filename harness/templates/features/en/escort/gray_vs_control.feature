@escort @on_request @REQ-ESCORT-GRAY
Feature: The 72-hour escort: the gray cohort is not worse than control
  While part of the buyers still see the previous version (control), the new version (gray)
  is compared with it at every check. The test is anytime-valid (a mixture sequential
  probability ratio test on the cumulative counts): looking every interval for 72 hours keeps
  the false-alarm rate at alpha, where a fixed-sample test looked at that often would not.
  Too little traffic to compare is INCONCLUSIVE, not a pass.

  Background:
    Given the live metrics of this escort check

  @critical
  Scenario: Gray converts no worse than control
    Then the gray cohort's conversion is not shown worse than the control's by an anytime-valid test at alpha 0.05

  @critical
  Scenario: Gray fails no more purchase requests than control
    Then the gray cohort's error ratio is not shown worse than the control's by an anytime-valid test at alpha 0.05
