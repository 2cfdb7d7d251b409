@capacity @REQ-CAPACITY
Feature: The store carries the load of its launch profile
  Latency and errors are trusted only when the load test itself was valid: the generator
  reached and held its planned users, was not saturated, and saw no socket errors of its own.
  When it was not valid, every criterion below is INCONCLUSIVE, never passed.

  Background:
    Given the load test evidence of this run
    And the load test counts as valid only with every worker at most 90 % CPU, a request rate at most 5 % below plan and no client socket errors

  @blocker
  Scenario: The load test itself is valid
    Then the load generator reached and held its planned users validly

  @critical
  Scenario: Few requests fail under load
    Then at most 0.1 % of requests failed

  @critical
  Scenario Outline: The 95th percentile of "<step>" stays under <ms> ms
    Then the 95th percentile of "<step>" is at most <ms> ms

    Examples:
      | step          | ms  |
{% for name, ms in load_steps %}
      | {{ name }} | {{ ms }} |
{% endfor %}
