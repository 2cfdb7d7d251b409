@escort @on_request @REQ-ESCORT
Feature: The 72-hour escort: the launched store keeps serving buyers
  After full launch the release is escorted for 72 hours (`harness watch`): at every check the
  live metrics of the interval just ended are judged against these criteria. A failed blocker,
  critical or normal criterion is a ROLLBACK; a criterion without data (no series, too little
  traffic, Prometheus unreachable) is INCONCLUSIVE, never a pass.

  Background:
    Given the live metrics of this escort check

  @blocker
  Scenario: Purchases are available
    Then at least 99.9 % of the purchase requests of the interval succeed, judged on 50 requests or more

  @blocker
  Scenario: Every payment has a policy
    Then no payment of the interval is left without a policy

  @blocker
  Scenario: Every premium charged is the premium quoted
    Then no premium charged in the interval differs from the premium quoted

  @critical
  Scenario Outline: The "<step>" step stays fast
    Then the 95th percentile latency of the "<step>" step is at most <seconds> s

    Examples:
      | step | seconds |
{% for step, seconds in escort_steps %}
      | {{ step }} | {{ seconds }} |
{% endfor %}

  @blocker
  Scenario: The error budget is not burning fast
    Then the error budget of 99.9 % availability does not burn at the multiwindow alert rates, scaled to the watch window
